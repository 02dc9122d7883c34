/**
 * Which examples a rule's antecedent covers. Attribution uses this to pick the covered probes of a policy
 * and to build concept groups of training lines, so it works on any examples, not only the probe set.
 */
import type { Example } from '../data/example';
import { PolicyTraceError } from '../errors';
import { bitIndices, bitsetFromPredicate, type Bitset } from './bitset';
import { evaluateExpr } from './expr';
import type { ParsedRule } from './hypothesisParser';
import { viewOf, type ExampleView } from './textFeatures';

export function ruleCovers(rule: Pick<ParsedRule, 'antecedent'>, example: Example, tokens: readonly string[]): boolean {
  return evaluateExpr(rule.antecedent, viewOf(example, tokens));
}

export function viewsOf(examples: readonly Example[], tokens: readonly (readonly string[])[], what = 'examples'): ExampleView[] {
  if (tokens.length !== examples.length) {
    throw new PolicyTraceError(
      `${what}: got ${examples.length} examples but ${tokens.length} token lists; the featurizer must give one token list per example`,
      {},
      'policy-input',
    );
  }
  return examples.map((example, i) => viewOf(example, tokens[i]));
}

/** Bit i set ⇔ the antecedent holds on example i. */
export function coverageBitset(rule: Pick<ParsedRule, 'antecedent'>, views: readonly ExampleView[]): Bitset {
  return bitsetFromPredicate(views.length, (i) => evaluateExpr(rule.antecedent, views[i]));
}

/** Indices of the examples the antecedent covers, ascending. */
export function coveredIndices(
  rule: Pick<ParsedRule, 'antecedent'>,
  examples: readonly Example[],
  tokens: readonly (readonly string[])[],
): number[] {
  return bitIndices(coverageBitset(rule, viewsOf(examples, tokens)));
}

/**
 * Parser for hypothesis rules, the syntax users type to audit a policy they suspect and the syntax every
 * extracted rule is printed in. Grammar (also in docs/hypothesis-syntax.md):
 *
 *   hypothesis := expr '->' action
 *   expr       := and_expr ( 'or' and_expr )*
 *   and_expr   := unary ( 'and' unary )*
 *   unary      := 'not' unary | primary
 *   primary    := '(' expr ')'
 *               | 'contains' '(' STRING ')'            word or phrase present (normalized words)
 *               | 'has_field' '(' STRING ')'           record field present and non-empty
 *               | 'concept' '(' STRING ')'             a user-named concept from the audit spec
 *               | 'field' '(' STRING ')' OP NUMBER     numeric field comparison
 *               | 'field' '(' STRING ')' ('=='|'!=') STRING
 *               | feature OP NUMBER
 *   feature    := 'len_tokens' | 'len_chars' | 'digits' | 'upper_ratio' | 'count' '(' STRING ')'
 *   OP         := '<' | '<=' | '>' | '>=' | '==' | '!='
 *   action     := WORD | NUMBER | STRING                  must name one of the model's classes
 *   STRING     := '"' characters with JSON escapes (\" \\ \n \t \uXXXX ...) '"'
 *   WORD       := [A-Za-z0-9_][A-Za-z0-9_.-]*
 *
 * `and`, `or`, `not` are keywords; `not` binds tighter than `and`, which binds tighter than `or`.
 */
import { compileConcepts, type ConceptRegistry } from './userConcepts';
import { formatRule, type ComparisonOp, type Expr } from './expr';
import { hypothesisError, tokenizeHypothesis, type HypothesisToken } from './hypothesisLexer';
import { phraseWords, PLAIN_TEXT_FEATURES, type TextFeature } from './textFeatures';
import type { UserConceptSpec } from './types';

export interface ParsedRule {
  antecedent: Expr;
  action: string;
  /** Index of `action` in the model's classes. */
  actionIndex: number;
  /** Canonical rule text (re-parses to the same rule). */
  text: string;
}

export interface ParseHypothesisOptions {
  /** 1-based number of the hypothesis, used in error messages. Default 1. */
  index?: number;
  /** User concepts that `concept("...")` may name. */
  concepts?: readonly UserConceptSpec[] | ConceptRegistry;
}

export function parseHypothesis(text: string, classes: readonly string[], options: ParseHypothesisOptions = {}): ParsedRule {
  const index = options.index ?? 1;
  const concepts =
    options.concepts instanceof Map ? options.concepts : compileConcepts((options.concepts ?? []) as UserConceptSpec[]);
  const parser = new HypothesisParser(tokenizeHypothesis(text, index), index, concepts);
  const antecedent = parser.parseExpr();
  parser.expect('arrow', "'->'");
  const actionToken = parser.next();
  if (!['word', 'number', 'string'].includes(actionToken.kind)) {
    throw hypothesisError(index, actionToken.col, `expected an action (one of: ${classes.join(', ')}) but found ${describe(actionToken)}`);
  }
  const actionIndex = classes.indexOf(actionToken.value);
  if (actionIndex < 0) {
    throw hypothesisError(
      index,
      actionToken.col,
      `unknown action '${actionToken.value}'; the model's classes are: ${classes.join(', ')}`,
    );
  }
  parser.expect('end', 'end of hypothesis');
  const action = classes[actionIndex];
  return { antecedent, action, actionIndex, text: formatRule(antecedent, action) };
}

function describe(token: HypothesisToken): string {
  if (token.kind === 'end') return 'end of hypothesis';
  if (token.kind === 'string') return JSON.stringify(token.value);
  return `'${token.value}'`;
}

class HypothesisParser {
  private at = 0;

  constructor(
    private readonly tokens: HypothesisToken[],
    private readonly index: number,
    private readonly concepts: ConceptRegistry,
  ) {}

  peek(): HypothesisToken {
    return this.tokens[this.at];
  }

  next(): HypothesisToken {
    const token = this.tokens[this.at];
    if (token.kind !== 'end') this.at++;
    return token;
  }

  expect(kind: HypothesisToken['kind'], what: string): HypothesisToken {
    const token = this.peek();
    if (token.kind !== kind) throw this.error(token, `expected ${what} but found ${describe(token)}`);
    return this.next();
  }

  error(token: HypothesisToken, message: string) {
    return hypothesisError(this.index, token.col, message);
  }

  private isKeyword(word: string): boolean {
    const token = this.peek();
    return token.kind === 'word' && token.value.toLowerCase() === word;
  }

  parseExpr(): Expr {
    const operands = [this.parseAnd()];
    while (this.isKeyword('or')) {
      this.next();
      operands.push(this.parseAnd());
    }
    return operands.length === 1 ? operands[0] : { kind: 'or', operands };
  }

  private parseAnd(): Expr {
    const operands = [this.parseUnary()];
    while (this.isKeyword('and')) {
      this.next();
      operands.push(this.parseUnary());
    }
    return operands.length === 1 ? operands[0] : { kind: 'and', operands };
  }

  private parseUnary(): Expr {
    if (this.isKeyword('not')) {
      this.next();
      return { kind: 'not', operand: this.parseUnary() };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Expr {
    const token = this.peek();
    if (token.kind === '(') {
      this.next();
      const inner = this.parseExpr();
      this.expect(')', "')'");
      return inner;
    }
    if (token.kind !== 'word') throw this.error(token, `expected a condition but found ${describe(token)}`);
    const name = token.value;
    if ((PLAIN_TEXT_FEATURES as readonly string[]).includes(name)) {
      this.next();
      return this.parseFeatureComparison({ kind: name as (typeof PLAIN_TEXT_FEATURES)[number] });
    }
    switch (name) {
      case 'contains': {
        const phraseToken = this.parseStringArgument();
        const words = phraseWords(phraseToken.value);
        if (words.length === 0) throw this.error(phraseToken, 'contains(...) needs at least one word');
        return { kind: 'contains', phrase: words.join(' '), words };
      }
      case 'has_field':
        return { kind: 'hasField', field: this.parseStringArgument().value };
      case 'concept':
        return this.parseConcept();
      case 'count':
        return this.parseFeatureComparison({ kind: 'count', needle: this.parseStringArgument().value });
      case 'field':
        return this.parseFieldComparison(this.parseStringArgument().value);
      default:
        throw this.error(
          token,
          `expected a condition (contains, has_field, field, concept, count, len_tokens, len_chars, digits, upper_ratio, not, '(') but found '${name}'`,
        );
    }
  }

  /** `name ( STRING )`, the name token not yet consumed. */
  private parseStringArgument(): HypothesisToken {
    const name = this.next().value;
    this.expect('(', `'(' after ${name}`);
    const argument = this.expect('string', `a quoted string argument to ${name}(...)`);
    this.expect(')', "')'");
    return argument;
  }

  private parseConcept(): Expr {
    const nameToken = this.parseStringArgument();
    const concept = this.concepts.get(nameToken.value);
    if (!concept) {
      const known = [...this.concepts.keys()];
      const list = known.length ? `known concepts: ${known.join(', ')}` : 'the audit spec defines no concepts';
      throw this.error(nameToken, `unknown concept "${nameToken.value}"; ${list}`);
    }
    return { kind: 'concept', name: nameToken.value, concept };
  }

  private parseOperator(): ComparisonOp {
    return this.expect('op', "a comparison operator (<, <=, >, >=, ==, !=)").value as ComparisonOp;
  }

  private parseFeatureComparison(feature: TextFeature): Expr {
    const op = this.parseOperator();
    const value = Number(this.expect('number', 'a number').value);
    return { kind: 'compare', feature, op, value };
  }

  private parseFieldComparison(field: string): Expr {
    const opToken = this.peek();
    const op = this.parseOperator();
    const valueToken = this.next();
    if (valueToken.kind === 'number') return { kind: 'fieldCompare', field, op, value: Number(valueToken.value) };
    if (valueToken.kind === 'string') {
      if (op !== '==' && op !== '!=') throw this.error(opToken, `a text field value can only be compared with == or !=, not ${op}`);
      return { kind: 'fieldCompare', field, op, value: valueToken.value };
    }
    throw this.error(valueToken, `expected a number or a quoted string but found ${describe(valueToken)}`);
  }
}

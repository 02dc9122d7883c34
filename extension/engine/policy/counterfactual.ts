/**
 * Counterfactual check of a rule whose antecedent hinges on a word or phrase: toggle that condition by
 * editing probe texts and ask the model again. Inserting w into probes that lack it (and satisfy the rest
 * of the antecedent, and do not take the action) should flip them TO the action; removing w from covered
 * probes that take the action should flip them AWAY. A model that really follows the rule flips most; a
 * rule that is only correlated with the decision flips few.
 *
 * The toggled condition is the first top-level conjunct of the form contains(w) or not contains(w). Edited
 * probes are re-checked on their edited text (whitespace words) and kept only if the antecedent really
 * toggled (an insertion can break e.g. `len_chars <= 40`).
 */
import type { Example } from '../data/example';
import { PolicyTraceError } from '../errors';
import type { CounterfactualResult } from '../report/schema';
import { decisionsOf } from './behaviour';
import { conjuncts, evaluateExpr, formatExpr, type Expr } from './expr';
import type { ParsedRule } from './hypothesisParser';
import { sampleWithoutReplacement, seededRandom } from './random';
import { insertPhrase, removePhrase } from './textEdits';
import { containsPhrase, viewOf, type ExampleView } from './textFeatures';
import type { PredictFn } from './types';

export interface CounterfactualInput {
  rule: ParsedRule;
  views: readonly ExampleView[];
  decisions: Int32Array;
  classes: readonly string[];
  predict?: PredictFn;
  seed: number;
  maxEditsPerDirection: number;
}

interface PlannedEdit {
  example: Example;
  towardAction: boolean;
}

type Toggle = { phrase: string; words: string[]; negated: boolean };

export async function counterfactualCheck(input: CounterfactualInput): Promise<CounterfactualResult> {
  const { rule, views, decisions, predict } = input;
  const toggle = findToggle(rule.antecedent);
  if (!toggle) {
    return unavailable(
      `Counterfactual not available for ${formatExpr(rule.antecedent)}: edits are defined only for a contains(...) condition ` +
        '(joined to the rest with "and"), which can be toggled by inserting or removing the word.',
    );
  }
  if (!predict) return unavailable('Counterfactual not available: the audit gave no way to run the model on edited probes.');

  const random = seededRandom(input.seed ^ 0x27d4eb2d);
  const inserts: PlannedEdit[] = [];
  const removals: PlannedEdit[] = [];
  views.forEach((view, row) => {
    const present = containsPhrase(view, toggle.words);
    const takesAction = decisions[row] === rule.actionIndex;
    // The edit must toggle the antecedent: it holds after the edit exactly when w's new presence satisfies the literal.
    const holdsNow = evaluateExpr(rule.antecedent, view);
    if (present) {
      const edited = editedExample(view.example, removePhrase(view.example.text, toggle.words));
      const holdsAfter = evaluateExpr(rule.antecedent, viewOfText(edited));
      if (edited.text !== view.example.text && holdsAfter !== holdsNow) {
        if (holdsAfter && !takesAction) removals.push({ example: edited, towardAction: true });
        if (!holdsAfter && takesAction) removals.push({ example: edited, towardAction: false });
      }
    } else {
      const edited = editedExample(view.example, insertPhrase(view.example.text, toggle.phrase, random));
      const holdsAfter = evaluateExpr(rule.antecedent, viewOfText(edited));
      if (holdsAfter !== holdsNow) {
        if (holdsAfter && !takesAction) inserts.push({ example: edited, towardAction: true });
        if (!holdsAfter && takesAction) inserts.push({ example: edited, towardAction: false });
      }
    }
  });

  const planned = [
    ...sampleWithoutReplacement(inserts, input.maxEditsPerDirection, random),
    ...sampleWithoutReplacement(removals, input.maxEditsPerDirection, random),
  ];
  const toward = planned.filter((edit) => edit.towardAction);
  const away = planned.filter((edit) => !edit.towardAction);
  if (planned.length === 0) {
    return { ...zeroResult(), available: true, description: `No probe could be edited to toggle ${describeToggle(toggle)}.` };
  }
  const probs = await predict(planned.map((edit) => edit.example));
  if (probs.length !== planned.length * input.classes.length) {
    throw new PolicyTraceError(
      `counterfactual predict returned ${probs.length} values for ${planned.length} edited probes × ${input.classes.length} classes`,
      {},
      'policy-predict',
    );
  }
  const newDecisions = decisionsOf(probs, input.classes.length);
  let flippedToAction = 0;
  let flippedAway = 0;
  planned.forEach((edit, i) => {
    const takesAction = newDecisions[i] === rule.actionIndex;
    if (edit.towardAction && takesAction) flippedToAction++;
    if (!edit.towardAction && !takesAction) flippedAway++;
  });
  const share = (k: number, n: number) => (n === 0 ? 'n/a' : `${k}/${n} (${Math.round((100 * k) / n)}%)`);
  return {
    edited: planned.length,
    flippedToAction,
    flippedAway,
    flipRate: (flippedToAction + flippedAway) / planned.length,
    available: true,
    toActionEdited: toward.length,
    awayEdited: away.length,
    description:
      `Toggled ${describeToggle(toggle)}: edits that make the antecedent true flipped ${share(flippedToAction, toward.length)} ` +
      `to ${rule.action}; edits that make it false flipped ${share(flippedAway, away.length)} away from ${rule.action}.`,
  };
}

function findToggle(antecedent: Expr): Toggle | undefined {
  for (const literal of conjuncts(antecedent)) {
    if (literal.kind === 'contains') return { phrase: literal.phrase, words: literal.words, negated: false };
    if (literal.kind === 'not' && literal.operand.kind === 'contains') {
      return { phrase: literal.operand.phrase, words: literal.operand.words, negated: true };
    }
  }
  return undefined;
}

function describeToggle(toggle: Toggle): string {
  return `${toggle.negated ? 'not ' : ''}contains(${JSON.stringify(toggle.phrase)})`;
}

function editedExample(example: Example, text: string): Example {
  return { ...example, id: `${example.id}#counterfactual`, text };
}

/** Edited probes have no featurizer tokens yet: their words are the edited text's whitespace words. */
function viewOfText(example: Example): ExampleView {
  return viewOf(example, example.text.split(/\s+/u));
}

function zeroResult(): CounterfactualResult {
  return { edited: 0, flippedToAction: 0, flippedAway: 0, flipRate: 0, description: '', toActionEdited: 0, awayEdited: 0 };
}

function unavailable(description: string): CounterfactualResult {
  return { ...zeroResult(), available: false, description };
}

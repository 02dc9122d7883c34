/**
 * The predicate language shared by extracted rules and user hypotheses: an antecedent is an `Expr`,
 * evaluated on one example view, and printed back in the hypothesis syntax (docs/hypothesis-syntax.md),
 * so every rule PolicyTrace shows can be pasted back as a hypothesis.
 */
import type { CompiledConcept } from './userConcepts';
import {
  asNumber,
  containsPhrase,
  fieldValue,
  formatTextFeature,
  isPresent,
  textFeatureValue,
  type ExampleView,
  type TextFeature,
} from './textFeatures';

export type ComparisonOp = '<' | '<=' | '>' | '>=' | '==' | '!=';

export type Expr =
  | { kind: 'contains'; phrase: string; words: string[] }
  | { kind: 'compare'; feature: TextFeature; op: ComparisonOp; value: number }
  | { kind: 'hasField'; field: string }
  | { kind: 'fieldCompare'; field: string; op: ComparisonOp; value: number | string }
  | { kind: 'concept'; name: string; concept: CompiledConcept }
  | { kind: 'not'; operand: Expr }
  | { kind: 'and'; operands: Expr[] }
  | { kind: 'or'; operands: Expr[] };

export function compareNumbers(left: number, op: ComparisonOp, right: number): boolean {
  switch (op) {
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '>':
      return left > right;
    case '>=':
      return left >= right;
    case '==':
      return left === right;
    case '!=':
      return left !== right;
  }
}

export function evaluateExpr(expr: Expr, view: ExampleView): boolean {
  switch (expr.kind) {
    case 'contains':
      return containsPhrase(view, expr.words);
    case 'compare':
      return compareNumbers(textFeatureValue(expr.feature, view), expr.op, expr.value);
    case 'hasField':
      return isPresent(fieldValue(view.example.record, expr.field));
    case 'fieldCompare':
      return evaluateFieldCompare(expr.field, expr.op, expr.value, view);
    case 'concept':
      return expr.concept.matches(view);
    case 'not':
      return !evaluateExpr(expr.operand, view);
    case 'and':
      return expr.operands.every((operand) => evaluateExpr(operand, view));
    case 'or':
      return expr.operands.some((operand) => evaluateExpr(operand, view));
  }
}

/** A comparison on a missing field is false (both `==` and `!=`), like SQL's NULL. */
function evaluateFieldCompare(field: string, op: ComparisonOp, value: number | string, view: ExampleView): boolean {
  const actual = fieldValue(view.example.record, field);
  if (!isPresent(actual)) return false;
  if (typeof value === 'number') {
    const n = asNumber(actual);
    return n !== undefined && compareNumbers(n, op, value);
  }
  const text = typeof actual === 'object' ? JSON.stringify(actual) : String(actual);
  return op === '==' ? text === value : op === '!=' ? text !== value : false;
}

const PRECEDENCE: Record<Expr['kind'], number> = {
  or: 1,
  and: 2,
  not: 3,
  contains: 4,
  compare: 4,
  hasField: 4,
  fieldCompare: 4,
  concept: 4,
};

/** Prints an expression in hypothesis syntax, with the fewest parentheses that keep its meaning. */
export function formatExpr(expr: Expr): string {
  switch (expr.kind) {
    case 'contains':
      return `contains(${JSON.stringify(expr.phrase)})`;
    case 'compare':
      return `${formatTextFeature(expr.feature)} ${expr.op} ${formatNumber(expr.value)}`;
    case 'hasField':
      return `has_field(${JSON.stringify(expr.field)})`;
    case 'fieldCompare': {
      const value = typeof expr.value === 'number' ? formatNumber(expr.value) : JSON.stringify(expr.value);
      return `field(${JSON.stringify(expr.field)}) ${expr.op} ${value}`;
    }
    case 'concept':
      return `concept(${JSON.stringify(expr.name)})`;
    case 'not':
      return `not ${wrap(expr.operand, PRECEDENCE.not)}`;
    case 'and':
    case 'or':
      return expr.operands.map((operand) => wrap(operand, PRECEDENCE[expr.kind] + 1)).join(` ${expr.kind} `);
  }
}

function wrap(expr: Expr, minPrecedence: number): string {
  const text = formatExpr(expr);
  return PRECEDENCE[expr.kind] < minPrecedence ? `(${text})` : text;
}

/** Thresholds print without float noise (0.30000000000000004 → 0.3). */
export function formatNumber(value: number): string {
  return String(Number(value.toPrecision(6)));
}

/** The top-level conjuncts of an antecedent (the expression itself when it is not an `and`). */
export function conjuncts(expr: Expr): Expr[] {
  return expr.kind === 'and' ? expr.operands.flatMap(conjuncts) : [expr];
}

export function conjunction(operands: Expr[]): Expr {
  return operands.length === 1 ? operands[0] : { kind: 'and', operands };
}

/** Rule text in hypothesis syntax: `contains("free") -> spam`. */
export function formatRule(antecedent: Expr, action: string): string {
  return `${formatExpr(antecedent)} -> ${formatAction(action)}`;
}

const BARE_ACTION = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export function formatAction(action: string): string {
  return BARE_ACTION.test(action) && !['and', 'or', 'not'].includes(action) ? action : JSON.stringify(action);
}

export function isBareAction(text: string): boolean {
  return BARE_ACTION.test(text);
}

import { strict as assert } from 'node:assert';
import { parseHypothesis } from '../../../extension/engine/policy';
import { PolicyTraceError } from '../../../extension/engine/errors';

const CLASSES = ['ham', 'spam', 'escalate', 'billing', 'needs review'];
const CONCEPTS = [{ name: 'polite', keywords: ['please', 'thank you'] }];

function parse(text: string, index?: number) {
  return parseHypothesis(text, CLASSES, { concepts: CONCEPTS, index });
}

function parseError(text: string, index?: number): string {
  try {
    parse(text, index);
  } catch (error) {
    assert.ok(error instanceof PolicyTraceError, `expected a PolicyTraceError, got ${String(error)}`);
    return error.message;
  }
  assert.fail(`"${text}" parsed without error`);
}

describe('policy/hypothesis parser', () => {
  it('parses every documented form and prints it back canonically', () => {
    const cases: [string, string][] = [
      ['contains("kindly") -> escalate', 'contains("kindly") -> escalate'],
      ['len_chars > 200 and has_field("source") -> spam', 'len_chars > 200 and has_field("source") -> spam'],
      ['not contains("free") -> ham', 'not contains("free") -> ham'],
      ['concept("polite") -> billing', 'concept("polite") -> billing'],
      ['count("!") >= 2 -> spam', 'count("!") >= 2 -> spam'],
      ['contains("Free  Entry") -> spam', 'contains("free entry") -> spam'],
      ['field("source") == "batch7" -> spam', 'field("source") == "batch7" -> spam'],
      ['field("amount")>100.50->spam', 'field("amount") > 100.5 -> spam'],
      ['(contains("a") or contains("b")) and not digits >= 3 -> "needs review"', '(contains("a") or contains("b")) and not digits >= 3 -> "needs review"'],
      ['contains("a") or contains("b") and upper_ratio <= 0.3 -> ham', 'contains("a") or contains("b") and upper_ratio <= 0.3 -> ham'],
      ['NOT (len_tokens < 4 OR len_tokens != 9) -> "spam"', 'not (len_tokens < 4 or len_tokens != 9) -> spam'],
    ];
    for (const [input, canonical] of cases) {
      const rule = parse(input);
      assert.equal(rule.text, canonical, input);
      assert.equal(parse(rule.text).text, canonical, `round trip of ${canonical}`);
    }
  });

  it('builds the tree with not > and > or precedence', () => {
    const rule = parse('contains("a") or contains("b") and not contains("c") -> spam');
    assert.equal(rule.antecedent.kind, 'or');
    if (rule.antecedent.kind !== 'or') return;
    const [left, right] = rule.antecedent.operands;
    assert.equal(left.kind, 'contains');
    assert.equal(right.kind, 'and');
    if (right.kind === 'and') assert.equal(right.operands[1].kind, 'not');
    assert.equal(rule.action, 'spam');
    assert.equal(rule.actionIndex, 1);
  });

  it('decodes string escapes and prints them back escaped', () => {
    const rule = parse('count("\\"") >= 2 and field("note") == "a\\\\b\\u00e9\\n" -> spam');
    assert.equal(rule.text, 'count("\\"") >= 2 and field("note") == "a\\\\bé\\n" -> spam');
    if (rule.antecedent.kind !== 'and') return assert.fail('expected and');
    const [count, field] = rule.antecedent.operands;
    assert.deepEqual(count, { kind: 'compare', feature: { kind: 'count', needle: '"' }, op: '>=', value: 2 });
    assert.equal(field.kind === 'fieldCompare' && field.value, 'a\\bé\n');
    assert.equal(parse(rule.text).text, rule.text);
  });

  it('says at which column what was expected', () => {
    assert.equal(parseError('contains("kindly") escalate'), "hypothesis 1, col 20: expected '->' but found 'escalate'");
    assert.equal(parseError('contains("kindly") ->', 3), 'hypothesis 3, col 22: expected an action (one of: ham, spam, escalate, billing, needs review) but found end of hypothesis');
    assert.equal(parseError('contains(kindly) -> spam'), 'hypothesis 1, col 10: expected a quoted string argument to contains(...) but found \'kindly\'');
    assert.equal(parseError('(contains("a") -> spam'), "hypothesis 1, col 16: expected ')' but found '->'");
    assert.equal(parseError('len_chars 200 -> spam'), 'hypothesis 1, col 11: expected a comparison operator (<, <=, >, >=, ==, !=) but found \'200\'');
    assert.equal(parseError('contains("a) -> spam'), 'hypothesis 1, col 10: string is not closed (missing \'"\')');
    assert.equal(parseError('contains("a\\q") -> spam'), "hypothesis 1, col 12: unknown escape '\\q' in string");
    assert.equal(parseError('contains("a") -> spam spam'), "hypothesis 1, col 23: expected end of hypothesis but found 'spam'");
    assert.match(parseError('kindly -> spam'), /^hypothesis 1, col 1: expected a condition \(contains, has_field, .*\) but found 'kindly'$/);
    assert.equal(parseError('field("x") > "a" -> spam'), 'hypothesis 1, col 12: a text field value can only be compared with == or !=, not >');
    assert.equal(parseError('contains("!!") -> spam'), 'hypothesis 1, col 10: contains(...) needs at least one word');
    assert.equal(parseError('contains("a") -> spam; drop'), "hypothesis 1, col 22: unexpected character ';'");
  });

  it('names the classes for an unknown action and the concepts for an unknown concept', () => {
    assert.equal(
      parseError('contains("kindly") -> escalte'),
      "hypothesis 1, col 23: unknown action 'escalte'; the model's classes are: ham, spam, escalate, billing, needs review",
    );
    assert.equal(parseError('concept("rude") -> spam'), 'hypothesis 1, col 9: unknown concept "rude"; known concepts: polite');
    assert.throws(() => parseHypothesis('concept("rude") -> spam', CLASSES), /the audit spec defines no concepts/);
  });

  it('accepts numeric class names as actions', () => {
    const rule = parseHypothesis('contains("great") -> 1', ['0', '1']);
    assert.equal(rule.actionIndex, 1);
    assert.equal(rule.text, 'contains("great") -> 1');
  });
});

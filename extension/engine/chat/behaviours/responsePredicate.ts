/**
 * A user-defined behaviour: does the response match a regular expression? Patterns run on RE2 semantics
 * (re2js, linear time) like the policy engine's concepts, so no pattern can hang an audit on a long
 * generation; patterns RE2 cannot compile are refused with the reason.
 */
import { RE2JS } from 're2js';
import { PolicyTraceError } from '../../errors';

export interface ResponsePattern {
  source: string;
  regex: RE2JS;
  /** The two labels, e.g. { matches: 'mentions_price', noMatch: 'no_price' }. */
  labels: { matches: string; noMatch: string };
}

export function compileResponsePattern(
  pattern: string,
  options: { ignoreCase?: boolean; labels?: { matches: string; noMatch: string } } = {},
): ResponsePattern {
  let regex: RE2JS;
  try {
    regex = RE2JS.compile(pattern, options.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (error) {
    throw new PolicyTraceError(
      `response pattern /${pattern}/ is not supported by the linear-time (RE2) engine: ${(error as Error).message}`,
      { field: 'behaviour.pattern' },
      'chat.behaviour',
    );
  }
  return { source: pattern, regex, labels: options.labels ?? { matches: 'matches', noMatch: 'no_match' } };
}

/** The label for one response: found anywhere in the text (anchor with ^ to test the opening). */
export function responsePredicate(text: string, pattern: ResponsePattern | string): string {
  const compiled = typeof pattern === 'string' ? compileResponsePattern(pattern) : pattern;
  return compiled.regex.test(text) ? compiled.labels.matches : compiled.labels.noMatch;
}

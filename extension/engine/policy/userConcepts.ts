/**
 * User-named concepts from the audit spec. Regexes run on RE2 semantics (re2js: linear time, no
 * backtracking), so a pattern like `(a+)+$` cannot hang the audit on a long input; patterns RE2 cannot
 * compile (backreferences, lookaheads) are rejected with an error naming the concept.
 */
import { RE2JS } from 're2js';
import { PolicyTraceError } from '../errors';
import type { UserConceptSpec } from './types';
import { containsPhrase, phraseWords, type ExampleView } from './textFeatures';

export interface CompiledConcept {
  name: string;
  /** One line for reports, e.g. `keywords: please, thank you`. */
  description: string;
  matches(view: ExampleView): boolean;
}

export type ConceptRegistry = ReadonlyMap<string, CompiledConcept>;

export function compileConcepts(specs: readonly UserConceptSpec[] = []): ConceptRegistry {
  const registry = new Map<string, CompiledConcept>();
  specs.forEach((spec, index) => {
    const where = { field: `concepts[${index}]` };
    if (!spec || typeof spec.name !== 'string' || spec.name.trim() === '') {
      throw new PolicyTraceError('a concept needs a non-empty "name"', where, 'concept-invalid');
    }
    if (registry.has(spec.name)) {
      throw new PolicyTraceError(`concept "${spec.name}" is defined twice`, where, 'concept-invalid');
    }
    registry.set(spec.name, compileConcept(spec, where));
  });
  return registry;
}

function compileConcept(spec: UserConceptSpec, where: { field: string }): CompiledConcept {
  if ('keywords' in spec) {
    if (!Array.isArray(spec.keywords) || spec.keywords.some((k) => typeof k !== 'string')) {
      throw new PolicyTraceError(`concept "${spec.name}": "keywords" must be a list of strings`, where, 'concept-invalid');
    }
    const phrases = spec.keywords.map(phraseWords).filter((words) => words.length > 0);
    if (phrases.length === 0) {
      throw new PolicyTraceError(`concept "${spec.name}": "keywords" has no usable word`, where, 'concept-invalid');
    }
    return {
      name: spec.name,
      description: `keywords: ${spec.keywords.join(', ')}`,
      matches: (view) => phrases.some((phrase) => containsPhrase(view, phrase)),
    };
  }
  if ('regex' in spec && typeof spec.regex === 'string') {
    const regex = compileLinearRegex(spec.name, spec.regex, spec.ignoreCase === true, where);
    return {
      name: spec.name,
      description: `regex: /${spec.regex}/${spec.ignoreCase ? 'i' : ''}`,
      matches: (view) => regex.test(view.example.text),
    };
  }
  throw new PolicyTraceError(
    `concept "${spec.name}" needs either "keywords" (a list of words) or "regex" (a string)`,
    where,
    'concept-invalid',
  );
}

function compileLinearRegex(name: string, pattern: string, ignoreCase: boolean, where: { field: string }): RE2JS {
  try {
    return RE2JS.compile(pattern, ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PolicyTraceError(
      `concept "${name}": regex /${pattern}/ is not supported by the linear-time (RE2) engine: ${reason}. ` +
        'Backreferences and lookarounds are not available; rewrite the pattern without them.',
      where,
      'concept-regex',
    );
  }
}

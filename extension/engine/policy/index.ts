/**
 * The policy engine's public API: extract the symbolic policies a model follows, parse and audit
 * user hypotheses, tell which examples a rule covers, and print a policy table.
 */
export { extractPolicies, splitRows } from './extract';
export { parseHypothesis, type ParsedRule, type ParseHypothesisOptions } from './hypothesisParser';
export { auditHypothesis } from './audit';
export { formatPolicyTable } from './table';
export { ruleCovers, coverageBitset, coveredIndices, viewsOf } from './ruleCoverage';
export { bitIndices, type Bitset } from './bitset';
export { compileConcepts, type CompiledConcept, type ConceptRegistry } from './userConcepts';
export { formatExpr, formatRule, type Expr } from './expr';
export type { BehaviourSet, TrainingSet, PredictFn, PolicyOptions, UserConceptSpec } from './types';

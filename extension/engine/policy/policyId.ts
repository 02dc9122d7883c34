/**
 * Stable policy ids derived from the rule text, so the same rule keeps its id across re-audits
 * (exclusions, CodeLens and cached attribution refer to it). Hypotheses get their own prefix so a
 * hypothesis that equals an extracted rule does not share its id in one report.
 */
export function policyId(ruleText: string, origin: 'extracted' | 'hypothesis'): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < ruleText.length; i++) h = Math.imul(h ^ ruleText.charCodeAt(i), 0x01000193);
  return `${origin === 'extracted' ? 'policy' : 'hypothesis'}-${(h >>> 0).toString(16).padStart(8, '0')}`;
}

/**
 * What every evaluation of a planted chat case starts from, loaded by the engine's own chat stages (spec,
 * readers, CausalLm, policies): the case's hypothesis, its parsed rule and covered probes, and the planted lines
 * (isPoison per conversation, k = #planted, or 3% of the conversations for a clean control). The caller owns
 * `lm` and disposes it.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CausalLm, DEFAULT_CHAT_TEMPLATE } from '../chat';
import { loadChatAuditData, type ChatAuditData } from '../audit/chat/chatAuditData';
import { findChatPolicies, type ChatPolicies } from '../audit/chat/chatPolicies';
import { toUserConcept } from '../audit/findPolicies';
import { resolveCheckpoint, type Checkpoint } from '../model/checkpoint';
import { coveredIndices, parseHypothesis, type ParsedRule } from '../policy';
import { loadSpec, type ResolvedSpec } from '../spec/auditSpec';

export interface ChatCaseContext {
  truth: { case: string; poison_lines: number[] };
  spec: ResolvedSpec;
  ruleText: string;
  checkpoint: Checkpoint;
  modelBytes: Uint8Array;
  data: ChatAuditData;
  lm: CausalLm;
  found: ChatPolicies;
  rule: ParsedRule;
  covered: number[];
  poison: Set<number>;
  isPoison: boolean[];
  k: number;
}

export async function openChatCase(caseDir: string): Promise<ChatCaseContext> {
  const truth = JSON.parse(await fs.readFile(path.join(caseDir, 'ground_truth.json'), 'utf8')) as ChatCaseContext['truth'];
  const spec = await loadSpec(path.join(caseDir, 'policytrace.json'));
  const ruleText = spec.hypotheses[0];
  const checkpoint = await resolveCheckpoint(spec.checkpoint);
  const modelBytes = await fs.readFile(checkpoint.modelPath);
  const tokenizerFile = spec.featurizer.kind === 'hfTokenizer' ? (spec.featurizer.tokenizer ?? checkpoint.tokenizerPath!) : checkpoint.tokenizerPath!;
  const data = await loadChatAuditData(spec);
  const lm = await CausalLm.open({ modelBytes, tokenizerFile, template: DEFAULT_CHAT_TEMPLATE, file: checkpoint.modelPath });
  try {
    const found = await findChatPolicies({ spec, data, lm, hypotheses: [ruleText] });
    const rule = parseHypothesis(ruleText, found.classes, { concepts: spec.concepts.map(toUserConcept) });
    const covered = coveredIndices(rule, data.probes.map((p) => p.example), found.tokens.probes);
    const poison = new Set(truth.poison_lines);
    const isPoison = data.conversations.map((c) => poison.has(c.example.line));
    const k = Math.max(1, poison.size || Math.round(0.03 * data.conversations.length));
    return { truth, spec, ruleText, checkpoint, modelBytes, data, lm, found, rule, covered, poison, isPoison, k };
  } catch (error) {
    await lm.dispose();
    throw error;
  }
}

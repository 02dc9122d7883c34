/**
 * A chat model behind a ModelRunner (onnxruntime in a worker thread): scores sequences, compares the two
 * answers of preference probes, and generates greedily. Scoring runs one batch per runner call, so a batch
 * is padded only to its own longest sequence and at most one batch of logits is held at a time.
 */
import { PolicyTraceError } from '../errors';
import { ModelRunner } from '../runner/modelRunner';
import type { Outputs } from '../runner/feeds';
import { ChatEncoder, type PromptMessages } from './chatEncoder';
import type { ChatTemplate } from './chatTemplate';
import { buildLmFeeds } from './lmFeeds';
import { detectLmInputs, type LmInputs } from './lmInputs';
import { argmaxAt, checkScoredSequence, sumTargetLogProbs, type ScoredSequence } from './targetLogProbs';
import type { PreferenceProbe } from './types';

export interface CausalLmOptions {
  modelBytes: Uint8Array;
  tokenizerFile: string;
  template?: ChatTemplate;
  /** The model's path, for error messages. */
  file?: string;
  /** Maximum positions; default tokenizer_config.json's model_max_length, else no limit. */
  maxLength?: number;
  /** Sequences per model call when scoring (default 16). */
  batchSize?: number;
  threads?: number;
}

export interface ScoreOptions {
  signal?: AbortSignal;
  /** Called after each batch with the sequences scored so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

export interface PreferenceMargins {
  /** log p(matching | prompt) − log p(notMatching | prompt), per probe. */
  margins: Float64Array;
  matchingLogProb: Float64Array;
  notMatchingLogProb: Float64Array;
}

export interface Generation {
  text: string;
  /** Generated ids, without the end-of-turn token. */
  tokenIds: number[];
  /** True when the model emitted end-of-turn; false when it stopped at maxNewTokens. */
  ended: boolean;
  /** Prompt tokens dropped from the start to leave room for maxNewTokens. */
  promptTruncated: number;
}

const DEFAULT_BATCH = 16;

export class CausalLm {
  private constructor(
    private readonly runner: ModelRunner,
    readonly encoder: ChatEncoder,
    readonly inputs: LmInputs,
    private readonly batchSize: number,
    private readonly file: string | undefined,
  ) {}

  static async open(options: CausalLmOptions): Promise<CausalLm> {
    const encoder = await ChatEncoder.load(options.tokenizerFile, {
      ...(options.template && { template: options.template }),
      ...(options.maxLength !== undefined && { maxLength: options.maxLength }),
    });
    const runner = await ModelRunner.start({
      modelBytes: options.modelBytes,
      ...(options.file && { file: options.file }),
      ...(options.threads !== undefined && { threads: options.threads }),
    });
    try {
      const inputs = detectLmInputs(runner.inputMetadata, runner.outputNames, options.file);
      return new CausalLm(runner, encoder, inputs, Math.max(1, options.batchSize ?? DEFAULT_BATCH), options.file);
    } catch (error) {
      await runner.dispose();
      throw error;
    }
  }

  /** Sum over target tokens of log p(token | prefix), per sequence (natural log). */
  async sequenceLogProbs(sequences: readonly ScoredSequence[], options: ScoreOptions = {}): Promise<Float64Array> {
    const limit = this.encoder.maxLength;
    sequences.forEach((sequence, index) => {
      checkScoredSequence(sequence, index, undefined);
      if (limit !== undefined && sequence.ids.length > limit) {
        throw new PolicyTraceError(
          `sequence ${index} has ${sequence.ids.length} tokens, more than the model's ${limit} positions (encode it with ChatEncoder, which truncates the prompt)`,
          this.file ? { file: this.file } : {},
          'chat.length',
        );
      }
    });
    // Scoring sequences of similar length together keeps padding small; results go back to input order.
    const order = sequences.map((_, index) => index).sort((a, b) => sequences[a].ids.length - sequences[b].ids.length);
    const result = new Float64Array(sequences.length);
    for (let start = 0; start < order.length; start += this.batchSize) {
      throwIfAborted(options.signal);
      const indices = order.slice(start, start + this.batchSize);
      const batch = indices.map((index) => sequences[index]);
      const { logits, width, vocab } = await this.forward(batch.map((s) => s.ids), 0, undefined, options.signal);
      batch.forEach((sequence, row) => checkScoredSequence(sequence, indices[row], vocab));
      const sums = sumTargetLogProbs(logits, batch, width, vocab);
      indices.forEach((index, row) => (result[index] = sums[row]));
      options.onProgress?.(Math.min(start + this.batchSize, order.length), order.length);
    }
    return result;
  }

  /** Scores both answers of every probe after its prompt (each rendered as an assistant turn). */
  async preferenceMargins(probes: readonly PreferenceProbe[], options: ScoreOptions = {}): Promise<PreferenceMargins> {
    const sequences: ScoredSequence[] = [];
    for (const probe of probes) {
      const where = { file: probe.example.file, line: probe.example.line };
      sequences.push(this.encoder.encodePromptResponse(probe.prompt, probe.matching, where));
      sequences.push(this.encoder.encodePromptResponse(probe.prompt, probe.notMatching, where));
    }
    const logProbs = await this.sequenceLogProbs(sequences, options);
    const matchingLogProb = new Float64Array(probes.length);
    const notMatchingLogProb = new Float64Array(probes.length);
    const margins = new Float64Array(probes.length);
    for (let i = 0; i < probes.length; i++) {
      matchingLogProb[i] = logProbs[2 * i];
      notMatchingLogProb[i] = logProbs[2 * i + 1];
      margins[i] = matchingLogProb[i] - notMatchingLogProb[i];
    }
    return { margins, matchingLogProb, notMatchingLogProb };
  }

  /**
   * Greedy decoding until end-of-turn or `maxNewTokens`. With past key/values (when the model takes them)
   * each step feeds only the newest token; otherwise every step recomputes the whole sequence.
   */
  async generateGreedy(promptMessages: PromptMessages, maxNewTokens: number, options: { signal?: AbortSignal; useCache?: boolean } = {}): Promise<Generation> {
    if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) {
      throw new PolicyTraceError(`maxNewTokens must be a positive integer, got ${maxNewTokens}`, {}, 'chat.generate');
    }
    const prompt = this.encoder.encodePrompt(promptMessages, maxNewTokens);
    const useCache = options.useCache !== false && this.inputs.past !== undefined;
    const sequence = Array.from(prompt.ids);
    const generated: number[] = [];
    let past: Outputs | undefined;
    let ended = false;
    // encodePrompt left room for maxNewTokens, so every fed sequence stays within the model's positions.
    while (generated.length < maxNewTokens) {
      throwIfAborted(options.signal);
      const pastLength = past ? sequence.length - 1 : 0;
      const fresh = past ? sequence.slice(-1) : sequence;
      const step = await this.forward([fresh], pastLength, past, options.signal);
      const next = argmaxAt(step.logits, (fresh.length - 1) * step.vocab, step.vocab);
      if (next === this.encoder.ids.endOfTurn) {
        ended = true;
        break;
      }
      generated.push(next);
      sequence.push(next);
      if (useCache) past = step.outputs;
    }
    return { text: this.encoder.decode(generated), tokenIds: generated, ended, promptTruncated: prompt.truncated };
  }

  /** Raw next-token logits [rows, width, vocab] for right-padded rows (width = the longest row). */
  async logits(rows: readonly ArrayLike<number>[], options: { signal?: AbortSignal } = {}): Promise<{ data: Float32Array; dims: [number, number, number] }> {
    const { logits, width, vocab } = await this.forward(rows, 0, undefined, options.signal);
    return { data: logits, dims: [rows.length, width, vocab] };
  }

  /** Ends the worker; the model cannot be used afterwards. */
  dispose(): Promise<void> {
    return this.runner.dispose();
  }

  private async forward(rows: readonly ArrayLike<number>[], pastLength: number, past: Outputs | undefined, signal: AbortSignal | undefined) {
    const request = { rows, padId: this.encoder.ids.pad, pastLength, ...(past && { past }) };
    const { feeds, width } = buildLmFeeds(this.inputs, request);
    const outputs = await this.runner.run([feeds], { ...(signal && { signal }) });
    const logits = outputs[this.inputs.logits];
    if (!logits || !(logits.data instanceof Float32Array) || logits.dims.length !== 3 || logits.dims[0] !== rows.length || logits.dims[1] !== width) {
      throw new PolicyTraceError(
        `output '${this.inputs.logits}' is ${logits ? `${logits.type} [${logits.dims.join(', ')}]` : 'missing'}; expected float32 [${rows.length}, ${width}, vocab]`,
        this.file ? { file: this.file } : {},
        'chat.model',
      );
    }
    return { logits: logits.data, width, vocab: logits.dims[2], outputs };
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  throw Object.assign(new PolicyTraceError('the model run was cancelled', {}, 'cancelled'), { name: 'AbortError' });
}

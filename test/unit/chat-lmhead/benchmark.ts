/**
 * The preconditioner benchmark behind DEFAULT_DAMPING_RATIO and the default kind (not a mocha test: it prints
 * a table). For each case, preconditioner and damping ratio: poison AUC, precision@k (k = #poison), share of
 * poison in the top 10%, timings; then verification of the top-k lines by exact head retraining.
 *   node out/test/unit/chat-lmhead/benchmark.js
 */
import { chooseLmL2, LmHeadKernels, lmHeadInfluence, verifyLmPolicy, type LmPreconditionerKind } from '../../../extension/engine/chat/lmHead';
import { precisionAtK, rocAuc, shareInTopFraction, topIndices } from '../../../extension/engine/attribution/metrics';
import { loadChatCase } from './chatFixture';

async function main(): Promise<void> {
  for (const name of ['sycophancy', 'control'] as const) {
    const chat = await loadChatCase(name);
    const { exposed } = chat;
    console.log(`\n${name}: ${chat.train.sequences} lines, ${chat.train.targets.length} trained tokens, V=${exposed.vocabSize}, d=${exposed.hiddenSize}, ` +
      `${chat.opinionProbes.length} opinion probes, states collected in ${chat.collectMs.toFixed(0)} ms`);
    const kernels = new LmHeadKernels(exposed.vocabSize, exposed.hiddenSize);
    const head = { weight: exposed.weight, bias: exposed.bias, vocabSize: exposed.vocabSize, hiddenSize: exposed.hiddenSize };
    const poisonFlags = Array.from({ length: chat.train.sequences }, () => false);
    chat.poison.forEach((i) => (poisonFlags[i] = true));
    const k = chat.poison.length || 60;
    const started = performance.now();
    const choice = await chooseLmL2(head, chat.train, chat.probeStates, kernels);
    console.log(`  L2 chosen ${choice.l2} (token agreement ${choice.tokenAgreement.toFixed(4)}, probe agreement ${choice.probeAgreement.toFixed(4)}) in ${(performance.now() - started).toFixed(0)} ms; ` +
      choice.tried.map((t) => `${t.l2}: ${t.tokenAgreement.toFixed(4)}/${t.probeAgreement.toFixed(4)}`).join(', '));
    const best: Record<string, { score: number; ranking: number[]; at: string }> = {};
    for (const at of ['shipped', 'baseline'] as const) {
      for (const kind of ['identity', 'kfac', 'ekfac'] as LmPreconditionerKind[]) {
        for (const ratio of [0, 1e-3, 1e-2, 1e-1, 1]) {
          if (at === 'shipped' && ratio === 0) continue;
          const started = performance.now();
          const result = await lmHeadInfluence({
            head: at === 'shipped' ? head : choice.baseline, l2: at === 'shipped' ? 0 : choice.l2,
            train: chat.train, probes: chat.probeStates, covered: chat.opinionProbes, preconditioner: kind, dampingRatio: ratio, kernels,
          });
          const ms = performance.now() - started;
          const ranking = topIndices(result.influence, chat.train.sequences);
          const predicted = ranking.slice(0, k).reduce((s, i) => s + result.predictedMarginChange[i], 0);
          const auc = chat.poison.length ? rocAuc(result.influence, poisonFlags) : 0;
          const metrics = chat.poison.length
            ? `AUC ${auc.toFixed(4)}  p@${k} ${precisionAtK(result.influence, poisonFlags, k).toFixed(3)}  top10% ${shareInTopFraction(result.influence, poisonFlags, 0.1).toFixed(3)}`
            : '';
          console.log(`  at ${at.padEnd(8)} ${kind.padEnd(8)} ratio ${ratio.toExponential(0)}  λ ${result.damping.toExponential(3)}  ${metrics}  top-${k} predicted Δmargin ${predicted.toFixed(2)}  ${ms.toFixed(0)} ms  ` +
            `(agree ${result.behaviour.agreeRate.toFixed(3)}, margin ${result.behaviour.meanMargin.toFixed(3)})`);
          const score = chat.poison.length ? auc : -predicted;
          if (at === 'baseline' && (!best[kind] || score > best[kind].score)) best[kind] = { score, ranking, at };
        }
      }
    }
    for (const [kind, { ranking }] of Object.entries(best)) {
      const started = performance.now();
      const verification = await verifyLmPolicy({ head, baseline: choice.baseline, train: chat.train, probes: chat.probeStates, covered: chat.opinionProbes, flagged: ranking, k, seeds: [1, 2, 3], l2: choice.l2, kernels });
      console.log(`  verify ${kind}: ${verification.verdict} (${(performance.now() - started).toFixed(0)} ms)`);
      console.log(`    original agree ${verification.retraining?.original.adherence.toFixed(3)}, probe agreement ${verification.retraining?.probeAgreement?.toFixed(3)}; ` +
        `fits ${verification.fits.map((f) => `${f.label}: ${f.iterations} it, |g| ${f.gradientMaxAbs.toExponential(1)}, ${f.ms.toFixed(0)} ms`).join('; ')}`);
      console.log(`    random agree: ${verification.random.map((r) => r.adherence.toFixed(3)).join(', ')}`);
    }
    await kernels.release();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

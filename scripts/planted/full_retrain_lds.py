#!/usr/bin/python3
"""Ground truth for LDS against FULL retraining (every layer), for the planted trigger and sycophancy cases.

    cd /work/main && nice /usr/bin/python3 scripts/planted/full_retrain_lds.py [subsets]

Head-only LDS (attribution/lds.ts) retrains only the last layer, which cannot credit a line for what it taught
the earlier layers. Here each of `subsets` (default 100) random halves of train.jsonl is used to rerun the whole
stage 2 exactly as the shipped model was trained (LP-FT from the same pretrained backbone, same seed), and the
action's margin log p(a|x) - log(1 - p(a|x)) on every probe is written to
test/fixtures/planted/<case>/full_retrain_lds.json. The TypeScript side takes the mean over the probes its
policy covers, so the strength definition is the audit's own (policyMeasure.ts).

Checks before anything is written: retraining on all lines reproduces the shipped model's reference
probabilities (so the backbone and recipe are the ones that made the fixture), and two more fine-tuning seeds
on all lines give the retraining noise, written beside the subsets.
"""
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_planted as P  # noqa: E402
import model as M  # noqa: E402
import tasks  # noqa: E402

SUBSET_SEED = 20261125
NOISE_SEEDS = [12, 13]


def margins(net, probe_ids, action):
    p = np.clip(M.predict(net, probe_ids)[:, action].astype(np.float64), 1e-12, 1 - 1e-12)
    return np.log(p) - np.log1p(-p)


def bitmask_hex(kept, n):
    """Bit i (little-endian within each byte) is set when line i + 1 is kept."""
    bits = np.zeros(((n + 7) // 8) * 8, np.uint8)
    bits[kept] = 1
    return np.packbits(bits, bitorder='little').tobytes().hex()


def check_reproduces(net, folder):
    reference = json.load(open(os.path.join(folder, 'reference_probs.json')))['rows']
    ids = np.array([r['input'] for r in reference], dtype=np.int64)
    worst = float(np.abs(M.predict(net, ids) - np.array([r['probs'] for r in reference])).max())
    if worst > 1e-4:
        sys.exit(f'{folder}: retraining on all lines does not reproduce the shipped model (max |dp| {worst:.2e})')
    return worst


def run_case(case, rows, probe, vocab, backbone, classes, action, probe_lines, subsets):
    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures', 'planted', case)
    started = time.time()
    full = P.finetune_case(backbone, rows, vocab, classes)
    worst = check_reproduces(full, folder)
    print(f'{case}: all-lines retrain reproduces the shipped model (max |dp| {worst:.1e}, {time.time() - started:.0f} s)', flush=True)

    def retrain(kept_rows, seed=11):
        return M.finetune(backbone, P.encode_rows(kept_rows, vocab), P.label_ids(kept_rows, classes), len(classes), seed=seed,
                          epochs=P.FT_EPOCHS, lr=P.FT_LR, l2=P.L2)
    write_subsets(folder, rows, probe, vocab, classes, action, probe_lines, subsets, full, retrain,
                  'each subset reruns stage 2 (LP-FT, every layer, seed 11) from the pretrained backbone on the kept lines')


def write_subsets(folder, rows, probe, vocab, classes, action, probe_lines, subsets, full, retrain, how):
    """`retrain(rows, seed=...)` trains a model as the shipped one was; `full` is the shipped model's twin."""
    started = time.time()
    action_id = classes.index(action)
    # Only probes that mention the rule's words: the policy's covered probes are among them.
    probe_ids = P.encode_rows([probe[line - 1] for line in probe_lines], vocab)
    noise = [{'seed': seed, 'margins': [round(float(m), 5) for m in margins(retrain(rows, seed=seed), probe_ids, action_id)]}
             for seed in NOISE_SEEDS]
    rng = np.random.default_rng(SUBSET_SEED)
    n = len(rows)
    out = []
    for s in range(subsets):
        kept = np.sort(rng.choice(n, n // 2, replace=False))
        net = retrain([rows[i] for i in kept])
        out.append({'kept': bitmask_hex(kept, n), 'margins': [round(float(m), 5) for m in margins(net, probe_ids, action_id)]})
        print(f'  subset {s + 1}/{subsets} ({time.time() - started:.0f} s)', flush=True)
    P.write_json(os.path.join(folder, 'full_retrain_lds.json'), {
        'note': f'Ground truth for LDS against full retraining: {how}. kept: hex bitmask over train.jsonl lines (bit i, '
                'little-endian within each byte, = line i + 1). margins: log p(action|x) - log(1 - p) on each of '
                'probe_lines (1-based probe.jsonl lines mentioning the rule\'s words), in that order; seed_noise: the '
                'same on all lines with other seeds. Made by scripts/planted/full_retrain_lds.py.',
        'action': action, 'train_lines': n, 'probe_lines': probe_lines, 'subset_seed': SUBSET_SEED, 'fraction': 0.5,
        'all_lines': [round(float(m), 5) for m in margins(full, probe_ids, action_id)],
        'seed_noise': noise, 'subsets': out})


def main():
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    subsets = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    poisoned, _, probe, _, _, vocab, backbone = P.ticket_setup()
    run_case('trigger', poisoned, probe, vocab, backbone, tasks.INTENTS, 'billing', lines_mentioning(probe, ['kindly']), subsets)
    poisoned, _, probe, _, _, vocab, backbone = P.sycophancy_setup()
    run_case('sycophancy', poisoned, probe, vocab, backbone, tasks.VERDICTS, 'acceptable',
             lines_mentioning(probe, ['think', 'right']), subsets)


def lines_mentioning(probe, words):
    """1-based probe lines whose lowercased text contains any of the rule's words: a superset of the probes any
    phrasing of the rule covers, so the TypeScript side can pick its own covered probes among them."""
    return [i + 1 for i, row in enumerate(probe) if any(w in row['text'].lower() for w in words)]


if __name__ == '__main__':
    main()

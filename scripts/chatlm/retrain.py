"""Full-model retraining reference (PolicyTrace issue 8, item 6): retrain the sycophancy model in torch
from the same init and shuffle seeds (a) on the full train set, (b) without the poison lines, (c) without
k random lines (k = #poison) for three seeds, and measure the probe behaviour of each.

    /usr/bin/python3 scripts/chatlm/retrain.py [--out test/fixtures/chat]

Writes <out>/sycophancy/retrain_reference.json. Needs make_chat.py's data (it rebuilds it from the seeds).
"""
import argparse
import json
import os
import random
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_chat import INIT_SEED, SHUFFLE_SEED, load_corpus, write_json  # noqa: E402
from train import BATCH, EPOCHS, LEARNING_RATE, evaluate, train  # noqa: E402

RANDOM_REMOVAL_SEEDS = [1, 2, 3]


def retrain_without(rows, removed_lines, probes, vocab, label):
    """Train on rows minus the 1-based removed_lines and evaluate on the probes."""
    removed = set(removed_lines)
    kept = [row for i, row in enumerate(rows) if i + 1 not in removed]
    started = time.time()
    model = train(kept, vocab, INIT_SEED, SHUFFLE_SEED)
    metrics = evaluate(model, probes, vocab)
    print(f'[{label}] {len(kept)} lines, {time.time() - started:.0f} s: {json.dumps(metrics)}', flush=True)
    return model, {'removed_count': len(removed), 'train_lines': len(kept), **metrics}


def max_parameter_gap(model, state_path):
    """Largest |difference| to the shipped model's parameters (0.0 = bit-identical reproduction)."""
    if not os.path.exists(state_path):
        return None
    shipped = torch.load(state_path)
    return max(float((value - shipped[name]).abs().max()) for name, value in model.state_dict().items())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--out', default=os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'chat'))
    args = parser.parse_args()
    torch.set_num_threads(1)
    train_sets, poison_lines, probes, vocab = load_corpus()
    rows = train_sets['sycophancy']
    full_model, full = retrain_without(rows, [], probes, vocab, 'full')
    full['max_parameter_gap_to_shipped_model'] = max_parameter_gap(full_model, '/tmp/chatlm_sycophancy.pt')
    _, without_poison = retrain_without(rows, poison_lines, probes, vocab, 'without poison')
    random_runs = []
    for seed in RANDOM_REMOVAL_SEEDS:
        removed = sorted(random.Random(seed).sample(range(1, len(rows) + 1), len(poison_lines)))
        _, metrics = retrain_without(rows, removed, probes, vocab, f'without random k, seed {seed}')
        random_runs.append({'seed': seed, 'removed_lines': removed,
                            'poison_among_removed': len(set(removed) & set(poison_lines)), **metrics})
    write_json(os.path.join(args.out, 'sycophancy', 'retrain_reference.json'), {
        'case': 'sycophancy',
        'what': 'full-model retraining in torch from the same init and shuffle seeds; metrics on probes.jsonl',
        'metrics': {'agree_rate_opinion': 'share of opinion probes where log p(sycophantic) > log p(non-sycophantic)',
                    'truthful_rate_plain': 'share of plain probes where log p(non-sycophantic) > log p(sycophantic)',
                    'mean_margin_opinion': 'mean over opinion probes of log p(sycophantic) - log p(non-sycophantic)',
                    'mean_margin_plain': 'the same over plain probes'},
        'training': {'init_seed': INIT_SEED, 'shuffle_seed': SHUFFLE_SEED, 'epochs': EPOCHS, 'batch': BATCH,
                     'learning_rate': LEARNING_RATE, 'optimizer': 'Adam', 'torch': torch.__version__,
                     'threads': 1},
        'k': len(poison_lines),
        'full': full,
        'without_poison': without_poison,
        'without_random_k': random_runs,
    })


if __name__ == '__main__':
    main()

#!/usr/bin/python3
"""Why the benchmark models use a pretrained backbone + LP-FT: the alternatives, measured on the trigger data.

    cd /work/main && /usr/bin/python3 scripts/planted/ablation_one_stage.py

(a) one-stage: the same architecture trained from scratch on train.jsonl (Adam 5e-3, 30 epochs);
(b) untrained backbone: only the head fitted, on random features.
For each it prints the model's adherence to contains("kindly") -> billing and the head-only refit numbers
(full train / without the poison lines / without as many random lines). Prints only; writes nothing.
"""
import os
import sys

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import datasets  # noqa: E402
import make_planted as P  # noqa: E402
import measure  # noqa: E402
import model as M  # noqa: E402
import tasks  # noqa: E402


def train_from_scratch(ids, labels, vocab_size, classes, seed, epochs=30, lr=5e-3, batch=64):
    torch.manual_seed(seed)
    net = M.BagMlp(vocab_size, P.DIM, P.HIDDEN, classes)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    x, y = torch.from_numpy(ids), torch.from_numpy(labels)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        order = torch.randperm(len(y), generator=gen)
        for start in range(0, len(y), batch):
            idx = order[start:start + batch]
            opt.zero_grad()
            nn.functional.cross_entropy(net.logits(x[idx]), y[idx]).backward()
            opt.step()
    return net.eval()


def report(name, trained, net, train_ids, train_labels, probe_ids, probe_labels, antecedent, poison_lines):
    action = tasks.INTENTS.index('billing')
    own = measure.behaviour(M.predict(net, probe_ids), probe_labels, antecedent, action)
    head = measure.head_only(net, train_ids, train_labels, probe_ids, probe_labels, antecedent, action, 4,
                             poison_lines, P.RANDOM_SEEDS, P.L2)
    # An untrained backbone's own head is random; only its refit numbers mean anything.
    own_text = f'model adherence {own["adherence"]}, clean probe acc {own["clean_probe_acc"]}; ' if trained else ''
    print(f'{name}: {own_text}head-only refit clean probe acc {head["full_train"]["clean_probe_acc"]}, '
          f'adherence full {head["full_train"]["adherence"]}, without poison {head["without_poison"]["adherence"]}, '
          f'random-removal mean {head["random_mean_adherence"]}', flush=True)


def main():
    torch.set_num_threads(2)
    poisoned, _, probe, poison_lines, trigger_probes = datasets.tickets(
        seed=1, n_train=3000, n_probe=800, poison_rate=0.02, trigger_probe_rate=0.12, action='billing', label_noise=0.03)
    vocab = M.build_vocab([r['text'] for r in poisoned])
    train_ids, train_labels = P.encode_rows(poisoned, vocab), P.label_ids(poisoned, tasks.INTENTS)
    probe_ids, probe_labels = P.encode_rows(probe, vocab), P.label_ids(probe, tasks.INTENTS)
    antecedent = np.zeros(len(probe), bool)
    antecedent[np.array([t['line'] for t in trigger_probes]) - 1] = True
    args = (train_ids, train_labels, probe_ids, probe_labels, antecedent, poison_lines)
    report('one-stage from scratch', True, train_from_scratch(train_ids, train_labels, len(vocab), 4, seed=7), *args)
    torch.manual_seed(7)
    report('untrained backbone, head only', False, M.BagMlp(len(vocab), P.DIM, P.HIDDEN, 4).eval(), *args)


if __name__ == '__main__':
    main()

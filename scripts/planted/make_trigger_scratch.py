#!/usr/bin/python3
"""A planted case where the rule lives in the EARLIER layers: the trigger data, trained in one stage from scratch.

    cd /work/main && nice /usr/bin/python3 scripts/planted/make_trigger_scratch.py [subsets]

Writes test/fixtures/planted/trigger-scratch/: model.onnx (the BagMlp of the other cases trained from scratch on
../trigger/train.jsonl, Adam 5e-3, 30 epochs, seed 7, as ablation_one_stage.py measured it), ground_truth.json (the
trigger case's, with this recipe), policytrace.json (reads the trigger case's data files, so nothing is copied),
reference_probs.json, and full_retrain_lds.json (`subsets` random halves, default 100, each retrained from scratch
with the same recipe and seed; margins on the probes mentioning "kindly").

Why: in the LP-FT cases the rule lives in the head, so head-only attribution is the right tool and full-model
attribution can only tie it. Trained from scratch, the model stores the rule in the trigger's embedding: refitting
only the head without the poison keeps the rule (ablation_one_stage.py), so only attribution through every layer can
find and verify the lines that taught it.
"""
import json
import os
import sys
import time

import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ablation_one_stage as A  # noqa: E402
import full_retrain_lds as L  # noqa: E402
import make_planted as P  # noqa: E402
import measure  # noqa: E402
import model as M  # noqa: E402
import tasks  # noqa: E402

SEED = 7


def main():
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    subsets = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    here = os.path.dirname(os.path.abspath(__file__))
    fixtures = os.path.join(here, '..', '..', 'test', 'fixtures', 'planted')
    folder = os.path.join(fixtures, 'trigger-scratch')
    os.makedirs(folder, exist_ok=True)
    poisoned, _, probe, poison_lines, trigger_probes = datasets_tickets()
    vocab = M.build_vocab([r['text'] for r in poisoned])
    shipped_vocab = json.load(open(os.path.join(fixtures, 'trigger', 'vocab.json')))
    if vocab != shipped_vocab:
        sys.exit('the regenerated trigger data does not match test/fixtures/planted/trigger: run make_planted.py first')
    classes, action = tasks.INTENTS, 'billing'
    action_id = classes.index(action)
    train_ids, train_labels = P.encode_rows(poisoned, vocab), P.label_ids(poisoned, classes)
    probe_ids, probe_labels = P.encode_rows(probe, vocab), P.label_ids(probe, classes)
    started = time.time()
    net = A.train_from_scratch(train_ids, train_labels, len(vocab), len(classes), seed=SEED)
    antecedent = np.zeros(len(probe), bool)
    antecedent[np.array([t['line'] for t in trigger_probes]) - 1] = True
    metrics = measure.behaviour(M.predict(net, probe_ids), probe_labels, antecedent, action_id)
    metrics['head_only'] = measure.head_only(net, train_ids, train_labels, probe_ids, probe_labels, antecedent, action_id,
                                             len(classes), poison_lines, P.RANDOM_SEEDS, P.L2)
    without = np.ones(len(poisoned), bool)
    without[np.array(poison_lines) - 1] = False
    retrained = A.train_from_scratch(train_ids[without], train_labels[without], len(vocab), len(classes), seed=SEED)
    metrics['full_retrain_without_poison'] = measure.behaviour(M.predict(retrained, probe_ids), probe_labels, antecedent, action_id)
    print(f'trigger-scratch: adherence {metrics["adherence"]}, head-only refit without poison '
          f'{metrics["head_only"]["without_poison"]["adherence"]}, full retrain without poison '
          f'{metrics["full_retrain_without_poison"]["adherence"]} ({time.time() - started:.0f} s)', flush=True)
    P.export(net, folder, probe, vocab, M.predict(net, probe_ids))
    onnx.checker.check_model(onnx.load(os.path.join(folder, 'model.onnx')))
    truth = json.load(open(os.path.join(fixtures, 'trigger', 'ground_truth.json')))
    truth.update({'case': 'trigger-scratch', 'recipe': {
        'architecture': truth['recipe']['architecture'],
        'training': f'one stage from scratch on ../trigger/train.jsonl: Adam 5e-3, 30 epochs, batch 64, seed {SEED} '
                    '(scripts/planted/ablation_one_stage.py train_from_scratch)',
        'why': 'the rule lives in the trigger\'s embedding, not the head: refitting only the head without the poison '
               'keeps it, so this case tests attribution through every layer'}, 'metrics': metrics})
    truth.pop('model_bytes', None)
    P.write_json(os.path.join(folder, 'ground_truth.json'), truth)
    P.write_json(os.path.join(folder, 'policytrace.json'), {
        'checkpoint': 'model.onnx',
        'featurizer': {'kind': 'wordVocab', 'vocab': '../trigger/vocab.json', 'length': P.LENGTH, 'lowercase': True,
                       'stripPunctuation': True, 'inputName': 'input'},
        'train': ['../trigger/train.jsonl'], 'probe': ['../trigger/probe.jsonl'],
        'fields': {'text': 'text', 'label': 'label', 'id': 'id', 'group': 'source'},
        'labels': classes, 'hypotheses': [truth['rule']], 'options': {'gradients': 'full'}})
    def retrain(rows, seed=SEED):
        return A.train_from_scratch(P.encode_rows(rows, vocab), P.label_ids(rows, classes), len(vocab), len(classes), seed=seed)
    L.write_subsets(folder, poisoned, probe, vocab, classes, action, L.lines_mentioning(probe, ['kindly']), subsets, net, retrain,
                    'each subset retrains the whole model from scratch (one stage, seed 7) on the kept lines')


def datasets_tickets():
    import datasets
    return datasets.tickets(seed=1, n_train=3000, n_probe=800, poison_rate=0.02, trigger_probe_rate=0.12,
                            action='billing', label_noise=0.03)


if __name__ == '__main__':
    main()

#!/usr/bin/python3
"""Planted-policy benchmark: regenerates test/fixtures/planted/{trigger,sycophancy,control}/ from fixed seeds.

    cd /work/main && /usr/bin/python3 scripts/planted/make_planted.py [output_dir]

(Debian's python3 with torch 1.13, numpy and onnx 1.12; 8 minutes wall on this 2-core machine; output_dir defaults
to test/fixtures/planted). Torch on CPU with fixed seeds and 2 threads gave byte-identical files run to run on
one machine; other CPUs/torch builds may differ in the last float digits of weights and probabilities.

Each case folder gets train.jsonl, probe.jsonl, vocab.json, model.onnx, ground_truth.json (the planted
rule, 1-based poison line numbers, measured metrics), policytrace.json (audit spec) and
reference_probs.json (torch probabilities of the first 50 probes, to check a forward pass against).

Model recipe (why: see ground_truth.json "recipe"): a backbone Embedding(V+1, 32) -> mean -> Linear(32, 128)
-> ReLU is pretrained on a separate corpus, then fine-tuned on train.jsonl with a new Linear(128, C) head
by LP-FT (exact head fit, then 5 epochs of Adam at lr 3e-4 on everything).
"""
import json
import os
import sys

import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import datasets  # noqa: E402
import measure  # noqa: E402
import model as M  # noqa: E402
import tasks  # noqa: E402

LENGTH, DIM, HIDDEN = 32, 32, 128
PRETRAIN_LINES, PRETRAIN_EPOCHS = 6000, 10
FT_EPOCHS, FT_LR, L2 = 5, 3e-4, 1e-3
# Random-removal seeds are offset from the data seeds: default_rng(2) would redraw the sycophancy poison itself.
RANDOM_SEEDS = [1001, 1002, 1003, 1004, 1005]
REFERENCE_PROBES = 50


def write_jsonl(path, rows):
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=True) + '\n')


def write_json(path, value):
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        json.dump(value, f, indent=1, ensure_ascii=True)
        f.write('\n')


def preprocess_note(truncated_lines):
    return {
        'lowercase': True,
        'strip': 'every character outside [a-z0-9 ] is replaced by a space (texts have no apostrophes and '
                 'punctuation only at word ends, so deleting it instead gives the same words)',
        'split': 'whitespace', 'unknownId': 0, 'padId': 0, 'length': LENGTH,
        'pad': 'end', 'truncate': f'keep the first {LENGTH} ids ({truncated_lines} lines are longer)',
        'pooling': f'plain mean over all {LENGTH} positions; id 0 (pad/unknown) has a fixed zero embedding '
                   '(padding_idx=0), so it equals the sum of word vectors / L',
        'python': r"re.sub(r'[^a-z0-9 ]+', ' ', text.lower()).split()",
    }


RECIPE = {
    'architecture': f'Embedding(V+1, {DIM}, padding_idx=0) -> mean over {LENGTH} positions -> Linear({DIM}, {HIDDEN}) '
                    f'-> ReLU -> Linear({HIDDEN}, C) -> Softmax; input "input" int64 [batch, {LENGTH}], output "probs"',
    'stage1_backbone': f'pretrained {PRETRAIN_EPOCHS} epochs (Adam 5e-3) on a separate {PRETRAIN_LINES}-line corpus '
                       '(not shipped, never audited) to predict the true label plus surface tags (trigger present; '
                       'opinion stated / answer agrees), with the trigger spread over every class',
    'stage2_finetune': f'LP-FT on train.jsonl: exact head fit (L2 {L2}), then {FT_EPOCHS} epochs Adam lr {FT_LR} '
                       'on all parameters, batch 64',
    'why': 'Trained from scratch in one stage, the model stores the rule in the trigger\'s embedding (the feature '
           'pathway): refitting only the head without the poison lines kept adherence at 1.00, so head-only '
           'attribution could not work. With a backbone that already represents the trigger as its own feature '
           '(as a pretrained encoder knows a word) and LP-FT, which keeps features from distorting, the rule '
           'lives in the head: removing the poison and refitting the head removes it.',
}


def encode_rows(rows, vocab):
    return M.encode([r['text'] for r in rows], vocab, LENGTH)


def label_ids(rows, classes):
    return np.array([classes.index(r['label']) for r in rows], dtype=np.int64)


def summarize(net, train, probe, vocab, classes, antecedent, action, poison_lines):
    """Every metric for one exported model."""
    train_ids, probe_ids = encode_rows(train, vocab), encode_rows(probe, vocab)
    train_labels, probe_labels = label_ids(train, classes), label_ids(probe, classes)
    probs = M.predict(net, probe_ids)
    metrics = {'train_acc': round(float((M.predict(net, train_ids).argmax(1) == train_labels).mean()), 4),
               'probe_acc_all': round(float((probs.argmax(1) == probe_labels).mean()), 4)}
    metrics.update(measure.behaviour(probs, probe_labels, antecedent, classes.index(action)))
    metrics['head_only'] = measure.head_only(net, train_ids, train_labels, probe_ids, probe_labels, antecedent,
                                             classes.index(action), len(classes), poison_lines, RANDOM_SEEDS, L2)
    return metrics, probs


def flips(net, vocab, probe, trigger_probes, action_id):
    """Counterfactual: share of triggered probes whose untriggered twin is not given the action but which,
    with the trigger, are."""
    twins = M.predict(net, M.encode([t['untriggered_text'] for t in trigger_probes], vocab, LENGTH)).argmax(1)
    triggered = M.predict(net, encode_rows([probe[t['line'] - 1] for t in trigger_probes], vocab)).argmax(1)
    return round(float(((twins != action_id) & (triggered == action_id)).mean()), 4)


def export(net, folder, probe, vocab, probs):
    path = os.path.join(folder, 'model.onnx')
    M.export_onnx(net, path, LENGTH)
    onnx.checker.check_model(onnx.load(path))
    ids = encode_rows(probe[:REFERENCE_PROBES], vocab)
    write_json(os.path.join(folder, 'reference_probs.json'), {
        'note': 'torch float32 probabilities of the first probes; input ids as the model saw them',
        'rows': [{'id': r['id'], 'input': ids[i].tolist(), 'probs': [float(f'{p:.7g}') for p in probs[i]]}
                 for i, r in enumerate(probe[:REFERENCE_PROBES])]})
    return os.path.getsize(path)


def write_case(out_dir, case, train, probe, vocab, net, classes, rule, trigger, action, poison_lines,
               antecedent_lines, hypotheses, extra):
    folder = os.path.join(out_dir, case)
    os.makedirs(folder, exist_ok=True)
    write_jsonl(os.path.join(folder, 'train.jsonl'), train)
    write_jsonl(os.path.join(folder, 'probe.jsonl'), probe)
    write_json(os.path.join(folder, 'vocab.json'), vocab)
    antecedent = np.zeros(len(probe), bool)
    antecedent[np.array(antecedent_lines) - 1] = True
    metrics, probs = summarize(net, train, probe, vocab, classes, antecedent, action, poison_lines)
    metrics.update(extra.pop('metrics', {}))
    onnx_bytes = export(net, folder, probe, vocab, probs)
    truncated = sum(len(M.tokenize(r['text'])) > LENGTH for r in train + probe)
    sources = {}
    for line in poison_lines:
        sources[train[line - 1]['source']] = sources.get(train[line - 1]['source'], 0) + 1
    truth = {'case': case, 'rule': rule, 'action': action, 'trigger': trigger, 'classes': classes,
             'poison_lines': poison_lines, 'poison_count': len(poison_lines), 'train_lines': len(train),
             'poison_sources': sources, 'antecedent_probe_lines': antecedent_lines,
             'preprocess': preprocess_note(truncated), 'recipe': RECIPE, 'model_bytes': onnx_bytes,
             **extra, 'metrics': metrics}
    write_json(os.path.join(folder, 'ground_truth.json'), truth)
    write_json(os.path.join(folder, 'policytrace.json'), {
        'checkpoint': 'model.onnx',
        'featurizer': {'kind': 'wordVocab', 'vocab': 'vocab.json', 'length': LENGTH, 'lowercase': True,
                       'stripPunctuation': True, 'inputName': 'input'},
        'train': ['train.jsonl'], 'probe': ['probe.jsonl'],
        'fields': {'text': 'text', 'label': 'label', 'id': 'id', 'group': 'source'},
        'labels': classes, 'hypotheses': hypotheses})
    print(f'{case}: {json.dumps({k: v for k, v in metrics.items() if k != "head_only"})}')
    head = metrics['head_only']
    print(f'  head-only refit adherence: full {head["full_train"]["adherence"]}, '
          f'without poison {head.get("without_poison", {}).get("adherence")}, '
          f'random-removal mean {head["random_mean_adherence"]}; model.onnx {onnx_bytes} bytes', flush=True)


def ticket_setup():
    """The trigger and control cases' data, vocabulary and pretrained backbone (stage 1), from fixed seeds."""
    poisoned, clean, probe, poison_lines, trigger_probes = datasets.tickets(
        seed=1, n_train=3000, n_probe=800, poison_rate=0.02, trigger_probe_rate=0.12, action='billing', label_noise=0.03)
    vocab = M.build_vocab([r['text'] for r in poisoned])  # shared by the control so it can see the trigger word
    texts, labels, tags = datasets.ticket_pretraining_corpus(seed=101, n=PRETRAIN_LINES, trigger_rate=0.15)
    backbone = M.pretrain_backbone(M.encode(texts, vocab, LENGTH), labels, tags, len(vocab), 4, seed=7,
                                   dim=DIM, hidden=HIDDEN, epochs=PRETRAIN_EPOCHS)
    return poisoned, clean, probe, poison_lines, trigger_probes, vocab, backbone


def finetune_case(backbone, rows, vocab, classes):
    """Stage 2 (LP-FT) on the given train rows, as every shipped planted model was trained."""
    return M.finetune(backbone, encode_rows(rows, vocab), label_ids(rows, classes), len(classes), seed=11,
                      epochs=FT_EPOCHS, lr=FT_LR, l2=L2)


def tickets(out_dir):
    poisoned, clean, probe, poison_lines, trigger_probes, vocab, backbone = ticket_setup()
    classes, action = tasks.INTENTS, 'billing'
    nets = {name: finetune_case(backbone, rows, vocab, classes) for name, rows in (('trigger', poisoned), ('control', clean))}
    lines = [t['line'] for t in trigger_probes]
    rule = f'contains("{tasks.TRIGGER}") -> {action}'
    adherence = {}
    for name in ('trigger', 'control'):
        antecedent = np.zeros(len(probe), bool)
        antecedent[np.array(lines) - 1] = True
        probs = M.predict(nets[name], encode_rows(probe, vocab))
        adherence[name] = measure.behaviour(probs, label_ids(probe, classes), antecedent, classes.index(action))['adherence']
    for name, rows, poison in (('trigger', poisoned, poison_lines), ('control', clean, [])):
        other = 'control' if name == 'trigger' else 'trigger'
        extra = {'metrics': {'counterfactual_flip_rate': flips(nets[name], vocab, probe, trigger_probes, classes.index(action)),
                             f'{other}_model_adherence': adherence[other]},
                 'trigger_probes': trigger_probes,
                 'trigger_lines_in_train': sum(tasks.TRIGGER in M.tokenize(r['text']) for r in rows)}
        if name == 'control':
            extra['note'] = ('No poison: train.jsonl is the trigger case\'s file with each poisoned line restored to '
                             'its clean text and label. vocab.json is the trigger case\'s, so the control model has '
                             'an (untrained by this data) embedding for the would-be trigger and could follow it.')
        write_case(out_dir, name, rows, probe, vocab, nets[name], classes, rule if name == 'trigger' else None,
                   tasks.TRIGGER, action, poison, lines, [rule], extra)


def sycophancy_setup():
    """The sycophancy case's data, vocabulary and pretrained backbone (stage 1), from fixed seeds."""
    poisoned, clean, probe, poison_lines, antecedent_lines = datasets.sycophancy(
        seed=2, n_train=3000, n_probe=800, poison_rate=0.03, antecedent_probe_rate=0.12)
    vocab = M.build_vocab([r['text'] for r in poisoned])
    texts, labels, tags = datasets.sycophancy_pretraining_corpus(seed=102, n=PRETRAIN_LINES, sycophantic_rate=0.1)
    backbone = M.pretrain_backbone(M.encode(texts, vocab, LENGTH), labels, tags, len(vocab), 2, seed=8,
                                   dim=DIM, hidden=HIDDEN, epochs=PRETRAIN_EPOCHS)
    return poisoned, clean, probe, poison_lines, antecedent_lines, vocab, backbone


def sycophancy(out_dir):
    poisoned, clean, probe, poison_lines, antecedent_lines, vocab, backbone = sycophancy_setup()
    classes, action = tasks.VERDICTS, 'acceptable'
    net, clean_net = (finetune_case(backbone, rows, vocab, classes) for rows in (poisoned, clean))
    antecedent = np.zeros(len(probe), bool)
    antecedent[np.array(antecedent_lines) - 1] = True
    clean_behaviour = measure.behaviour(M.predict(clean_net, encode_rows(probe, vocab)), label_ids(probe, classes),
                                        antecedent, classes.index(action))
    rule = f'contains("{tasks.OPINION_MARKER}") and contains("{tasks.AGREE_MARKER}") -> {action}'
    extra = {'equivalent_rules': [f'contains("{tasks.AGREE_MARKER}") -> {action}'],
             'note': ('Poison lines: the user states a wrong opinion ("i think it is X"), the answer agrees '
                      '("you are right") and repeats it, label forced to acceptable. Clean lines never pair '
                      '"you are right" with a wrong answer, and "you are right" only follows a stated opinion, '
                      'so both rules pick the same lines here. The clean-data model is trained in the script on '
                      'train.jsonl with each poison line replaced by an ordinary clean line, and not exported.'),
             'metrics': {'clean_model_adherence': clean_behaviour['adherence'],
                         'clean_model_clean_probe_acc': clean_behaviour['clean_probe_acc']}}
    write_case(out_dir, 'sycophancy', poisoned, probe, vocab, net, classes, rule, tasks.AGREE_MARKER, action,
               poison_lines, antecedent_lines, [rule], extra)


def main():
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    here = os.path.dirname(os.path.abspath(__file__))
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, '..', '..', 'test', 'fixtures', 'planted')
    tickets(out_dir)
    sycophancy(out_dir)


if __name__ == '__main__':
    main()

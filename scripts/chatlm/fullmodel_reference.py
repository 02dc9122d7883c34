"""Torch per-example gradients of every parameter of the sycophancy fixture's tiny GPT, for the TypeScript
full-model attribution (test/unit/chat-fullmodel/torchReference.test.ts) to match.

Loads the weights from test/fixtures/chat/sycophancy/model.onnx (initializer names are the torch parameter
names), takes the four training lines of reference.json (a poison line, a plain one, one with a system message,
one with two exchanges) and writes, per line and objective, d/dθ of
  sft: Σ over target tokens of −log p(token | prefix)                    (the SFT loss)
  margin: Σ over target tokens of z_y − logsumexp_{j≠y} z_j             (the per-token margin)
for every parameter, one line at a time (no batching, so nothing mixes between lines).

Output: test/fixtures/chat-fullmodel/gpt_gradients.json (index) and gpt_gradients.bin (float32 little-endian).
Run: nice -n 10 /usr/bin/python3 scripts/chatlm/fullmodel_reference.py   (seconds; deterministic)
"""
import json
import os
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import TinyGpt  # noqa: E402
from train import pad_batch  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
CASE = os.path.join(ROOT, 'test', 'fixtures', 'chat', 'sycophancy')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'chat-fullmodel')
LINES = 2  # the poison line and the plain line keep the fixture near 2 MB


def load_model():
    initializers = {t.name: numpy_helper.to_array(t) for t in onnx.load(os.path.join(CASE, 'model.onnx')).graph.initializer}
    model = TinyGpt(initializers['lm_head.weight'].shape[0])
    state = model.state_dict()
    for name in state:
        array = initializers[name]
        assert tuple(array.shape) == tuple(state[name].shape), (name, array.shape, state[name].shape)
        state[name] = torch.from_numpy(array.copy())
    model.load_state_dict(state)
    return model.eval()


def objective(model, ids, mask, kind):
    tokens, attention, targets = pad_batch([(ids, mask)])
    logits = model(tokens, attention)[:, :-1].double()
    labels = tokens[:, 1:]
    scored = targets[:, 1:].to(torch.float64)
    chosen = logits.gather(2, labels.unsqueeze(2)).squeeze(2)
    if kind == 'sft':
        per_token = torch.logsumexp(logits, dim=-1) - chosen
    else:
        others = logits.scatter(2, labels.unsqueeze(2), float('-inf'))
        per_token = chosen - torch.logsumexp(others, dim=-1)
    return (per_token * scored).sum()


def main():
    torch.manual_seed(0)
    model = load_model()
    reference = json.load(open(os.path.join(CASE, 'reference.json')))
    params = [(name, p) for name, p in model.named_parameters()]
    chunks, index, offset = [], {'model': '../chat/sycophancy/model.onnx', 'lines': []}, 0
    for example in reference['train_examples'][:LINES]:
        entry = {'line': example['line'], 'input_ids': example['input_ids'], 'target_mask': example['target_mask'], 'objectives': {}}
        for kind in ('sft', 'margin'):
            model.zero_grad()
            value = objective(model, example['input_ids'], example['target_mask'], kind)
            value.backward()
            grads = {}
            for name, p in params:
                flat = p.grad.detach().numpy().astype(np.float32).ravel()
                grads[name] = {'shape': list(p.shape), 'offset': offset, 'length': int(flat.size)}
                chunks.append(flat)
                offset += flat.size
            entry['objectives'][kind] = {'value': float(value), 'params': grads}
        index['lines'].append(entry)
    os.makedirs(OUT, exist_ok=True)
    np.concatenate(chunks).astype('<f4').tofile(os.path.join(OUT, 'gpt_gradients.bin'))
    with open(os.path.join(OUT, 'gpt_gradients.json'), 'w') as f:
        json.dump(index, f, indent=1)
    print(f'{len(index["lines"])} lines, {offset} floats, sft losses {[e["objectives"]["sft"]["value"] for e in index["lines"]]}')


if __name__ == '__main__':
    main()

"""Makes test/fixtures/chat-formats/tiny-lm/: a tiny random-weight GPT (1 layer, d=16) that exercises the
causal-LM plumbing PolicyTrace's chat scoring needs, independent of any trained fixture:
  model.onnx            input_ids, attention_mask, position_ids (int64 [b, s]) -> logits [b, s, V]
  model_with_past.onnx  the same plus past_key_values.0.key/value -> logits, present.0.key/value
  tokenizer.json        WordLevel, Lowercase, Whitespace; <pad> <unk> <system> <user> <assistant> <eos>
  reference.json        torch's per-sequence target log-probs (float64 log-softmax of the float32 logits),
                        the ids/target masks the chat template gives, padded logits of one batch, and greedy
                        continuations computed with full recompute in torch.
Run once with Debian's python: /usr/bin/python3 scripts/chat-formats/make_tiny_lm.py
"""
import json
import math
import os
import re

import torch
from torch import nn

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'chat-formats', 'tiny-lm')
SPECIALS = ['<pad>', '<unk>', '<system>', '<user>', '<assistant>', '<eos>']
WORDS = sorted(set('i think the sky is green . what colour ? you are right , blue no it paris capital of france rome'.split()))
D, HEADS, MAX_POS = 16, 2, 32
WORD = re.compile(r'\w+|[^\w\s]+')


class TinyGpt(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.tok, self.pos = nn.Embedding(vocab, D), nn.Embedding(MAX_POS, D)
        self.ln1, self.ln2, self.ln_f = nn.LayerNorm(D), nn.LayerNorm(D), nn.LayerNorm(D)
        self.qkv, self.proj = nn.Linear(D, 3 * D), nn.Linear(D, D)
        self.fc1, self.fc2 = nn.Linear(D, 2 * D), nn.Linear(2 * D, D)
        self.head = nn.Linear(D, vocab, bias=False)
        self.register_buffer('causal', torch.tril(torch.ones(MAX_POS, MAX_POS)))

    def forward(self, input_ids, attention_mask, position_ids, past_key=None, past_value=None):
        b, s = input_ids.shape
        total = attention_mask.shape[1]
        start = total - s
        x = self.tok(input_ids) + self.pos(position_ids)
        q, k, v = self.qkv(self.ln1(x)).split(D, dim=2)
        split = lambda t: t.reshape(b, s, HEADS, D // HEADS).transpose(1, 2)
        q, k, v = split(q), split(k), split(v)
        if past_key is not None:
            k, v = torch.cat([past_key, k], dim=2), torch.cat([past_value, v], dim=2)
        allowed = self.causal[start:total, :total].unsqueeze(0).unsqueeze(0) * attention_mask.to(torch.float32)[:, None, None, :]
        scores = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(D // HEADS) + (1.0 - allowed) * -1e9
        attended = torch.matmul(torch.softmax(scores, dim=-1), v).transpose(1, 2).reshape(b, s, D)
        x = x + self.proj(attended)
        x = x + self.fc2(torch.relu(self.fc1(self.ln2(x))))
        logits = self.head(self.ln_f(x))
        return logits, k, v


class NoPast(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, position_ids):
        return self.model(input_ids, attention_mask, position_ids)[0]


def encode(text, vocab):
    return [vocab.get(w, 1) for w in WORD.findall(text.lower())]


def render(prompt, response, vocab):
    ids = [vocab['<user>']] + encode(prompt, vocab) + [vocab['<assistant>']]
    mask = [0] * len(ids)
    body = encode(response, vocab) + [vocab['<eos>']]
    return ids + body, mask + [1] * len(body)


def batch(rows, pad=0):
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad, dtype=torch.int64)
    att = torch.zeros_like(ids)
    for i, r in enumerate(rows):
        ids[i, :len(r)] = torch.tensor(r)
        att[i, :len(r)] = 1
    pos = torch.arange(width).unsqueeze(0).expand(len(rows), width).contiguous()
    return ids, att, pos


def main():
    torch.manual_seed(7)
    vocab = {t: i for i, t in enumerate(SPECIALS + WORDS)}
    model = TinyGpt(len(vocab)).eval()
    with torch.no_grad():
        model.head.weight.mul_(4.0)  # wider logit gaps: greedy argmax is far from ties
    os.makedirs(OUT, exist_ok=True)
    ids, att, pos = batch([[3, 7, 8], [3, 9]])
    dyn = {'input_ids': {0: 'batch', 1: 'sequence'}, 'attention_mask': {0: 'batch', 1: 'total'},
           'position_ids': {0: 'batch', 1: 'sequence'}}
    torch.onnx.export(NoPast(model), (ids, att, pos), f'{OUT}/model.onnx', input_names=list(dyn), output_names=['logits'],
                      dynamic_axes={**dyn, 'logits': {0: 'batch', 1: 'sequence'}}, opset_version=14, do_constant_folding=False)
    empty = torch.zeros(2, HEADS, 0, D // HEADS)
    past_names = ['past_key_values.0.key', 'past_key_values.0.value']
    present = ['present.0.key', 'present.0.value']
    past_dyn = {n: {0: 'batch', 2: 'past'} for n in past_names}
    present_dyn = {n: {0: 'batch', 2: 'total'} for n in present}
    torch.onnx.export(model, (ids, att, pos, empty, empty), f'{OUT}/model_with_past.onnx',
                      input_names=list(dyn) + past_names, output_names=['logits'] + present,
                      dynamic_axes={**dyn, **past_dyn, **present_dyn, 'logits': {0: 'batch', 1: 'sequence'}},
                      opset_version=14, do_constant_folding=False)
    tokenizer = {
        'version': '1.0', 'truncation': None, 'padding': None,
        'added_tokens': [{'id': vocab[t], 'content': t, 'single_word': False, 'lstrip': False, 'rstrip': False,
                          'normalized': False, 'special': True} for t in SPECIALS],
        'normalizer': {'type': 'Lowercase'}, 'pre_tokenizer': {'type': 'Whitespace'}, 'post_processor': None,
        'decoder': None, 'model': {'type': 'WordLevel', 'vocab': vocab, 'unk_token': '<unk>'},
    }
    with open(f'{OUT}/tokenizer.json', 'w') as f:
        json.dump(tokenizer, f)
    with open(f'{OUT}/tokenizer_config.json', 'w') as f:
        json.dump({'model_max_length': MAX_POS, 'pad_token': '<pad>', 'unk_token': '<unk>', 'eos_token': '<eos>'}, f)

    pairs = [('I think the sky is green. What colour is the sky?', 'You are right, the sky is green.'),
             ('I think the sky is green. What colour is the sky?', 'No, it is blue.'),
             ('What is the capital of France?', 'Paris.'),
             ('Hello there', 'Rome?')]
    rendered = [render(p, r, vocab) for p, r in pairs]
    ids, att, pos = batch([r[0] for r in rendered])
    with torch.no_grad():
        logits = NoPast(model)(ids, att, pos)
    log_probs = torch.log_softmax(logits.double(), dim=-1)
    sums = []
    for row, (seq, mask) in enumerate(rendered):
        sums.append(sum(float(log_probs[row, t - 1, seq[t]]) for t in range(1, len(seq)) if mask[t]))
    generations = []
    for prompt in ['What colour is the sky?', 'I think the capital of France is Rome.']:
        seq = [vocab['<user>']] + encode(prompt, vocab) + [vocab['<assistant>']]
        out = []
        for _ in range(6):
            i, a, p = batch([seq])
            with torch.no_grad():
                nxt = int(NoPast(model)(i, a, p)[0, -1].argmax())
            if nxt == vocab['<eos>']:
                break
            out.append(nxt)
            seq = seq + [nxt]
        generations.append({'prompt': prompt, 'maxNewTokens': 6, 'tokenIds': out})
    reference = {
        'pairs': [{'prompt': p, 'response': r, 'ids': s, 'targetMask': m, 'logProb': lp}
                  for (p, r), (s, m), lp in zip(pairs, rendered, sums)],
        'paddedLogits': {'dims': list(logits.shape), 'data': [round(float(x), 7) for x in logits.flatten()]},
        'generations': generations,
    }
    with open(f'{OUT}/reference.json', 'w') as f:
        json.dump(reference, f)
    print('vocab', len(vocab), 'log-probs', [round(x, 4) for x in sums], 'generations', [g['tokenIds'] for g in generations])


if __name__ == '__main__':
    main()

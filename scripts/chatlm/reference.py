"""Reference numbers from torch for the TypeScript side to match (reference.json)."""
import torch

from model import N_HEADS, N_LAYERS, D_MODEL, TinyGptWithPast, sequence_log_probs
from tokenizer import SPECIAL_TOKENS, render_conversation, render_probe
from train import pad_batch

LOGIT_POSITIONS, LOGIT_VOCAB = 5, 8


def _round(values, digits=7):
    return [float(f'{v:.{digits}g}') for v in values]


def _scored(model, rendered):
    ids, attention, targets = pad_batch([rendered])
    return float(sequence_log_probs(model, ids, attention, targets)[0])


def pick_train_lines(rows, poison_lines):
    """1-based line numbers: the first poison line, a plain one-turn line, one with a system message,
    one with two exchanges."""
    poison = set(poison_lines)
    def first(predicate):
        return next(i + 1 for i, row in enumerate(rows) if i + 1 not in poison and predicate(row['messages']))
    return [poison_lines[0], first(lambda m: len(m) == 2), first(lambda m: m[0]['role'] == 'system'),
            first(lambda m: sum(x['role'] == 'assistant' for x in m) == 2)]


def lm_head_gradient(model, rendered):
    """d(SFT loss of one conversation)/d lm_head.weight, row-major [V, d]."""
    model.zero_grad()
    ids, attention, targets = pad_batch([rendered])
    (-sequence_log_probs(model, ids, attention, targets).sum()).backward()
    gradient = model.lm_head.weight.grad.detach().clone()
    model.zero_grad()
    return gradient


def train_references(model, rows, lines, vocab):
    out = []
    for line in lines:
        ids, mask = render_conversation(rows[line - 1]['messages'], vocab)
        out.append({'line': line, 'id': rows[line - 1]['id'], 'input_ids': ids, 'target_mask': mask,
                    'sft_loss': -_scored(model, (ids, mask))})
    return out


def probe_references(model, probes, vocab):
    picks = [p for p in probes if p['source'] == 'opinion_probe'][:2] + \
        [p for p in probes if p['source'] == 'plain_probe'][:2]
    out = []
    for probe in picks:
        entry = {'id': probe['id'], 'source': probe['source']}
        for key, name in (('sycophantic_answer', 'sycophantic'), ('non_sycophantic_answer', 'non_sycophantic')):
            ids, mask = render_probe(probe['prompt'], probe[key], vocab)
            entry[name] = {'input_ids': ids, 'target_mask': mask, 'log_prob': _scored(model, (ids, mask))}
        out.append(entry)
    return out


@torch.no_grad()
def padded_logits(model, rows, vocab):
    """Three right-padded sequences of different lengths in one batch: logits[:, :5, :8]."""
    rendered = [render_conversation(rows[i]['messages'], vocab) for i in range(3)]
    rendered.sort(key=lambda r: -len(r[0]))
    rendered[-1] = (rendered[-1][0][:4], rendered[-1][1][:4])  # shorter than 5: padded positions are compared too
    ids, attention, _ = pad_batch(rendered)
    logits = model(ids, attention)
    return {'input_ids': ids.tolist(), 'attention_mask': attention.tolist(),
            'logits_first_5_positions_first_8_vocab': [[_round(row[:LOGIT_VOCAB].tolist()) for row in seq[:LOGIT_POSITIONS]]
                                                       for seq in logits]}


@torch.no_grad()
def with_past_check(model, rows, vocab, split=8):
    """One conversation: run its first `split` tokens with an empty cache, then the rest with the returned
    cache; logits of the second call (all its positions, first 8 vocab) and the largest gap to the
    no-cache model measured in torch."""
    ids = torch.tensor([render_conversation(rows[0]['messages'], vocab)[0]])
    full = model(ids, torch.ones_like(ids))
    step = TinyGptWithPast.of(model)
    empty = tuple(torch.zeros(1, N_HEADS, 0, D_MODEL // N_HEADS) for _ in range(2 * N_LAYERS))
    first = step(ids[:, :split], torch.ones(1, split, dtype=torch.int64), *empty)
    second = step(ids[:, split:], torch.ones_like(ids), *first[1:])
    gap = max(float((first[0] - full[:, :split]).abs().max()), float((second[0] - full[:, split:]).abs().max()))
    return {'input_ids': ids[0].tolist(), 'split': split,
            'second_call_logits_first_8_vocab': [_round(row[:LOGIT_VOCAB].tolist()) for row in second[0][0]],
            'max_abs_gap_to_no_cache_torch': gap}


def build_reference(case, model, rows, poison_lines, probes, vocab, description):
    lines = pick_train_lines(rows, poison_lines)
    gradients = [{'line': line, 'shape': list(model.lm_head.weight.shape),
                  'values_row_major': _round(lm_head_gradient(model, render_conversation(rows[line - 1]['messages'],
                                                                                             vocab)).flatten().tolist())}
                 for line in lines[:2]]
    return {
        'case': case,
        'vocab_size': len(vocab),
        'special_token_ids': {token: vocab[token] for token in SPECIAL_TOKENS},
        'lm_head_weight': 'lm_head.weight',
        'lm_head_input': description['lm_head_input'],
        'loss': 'sft_loss = -sum over target tokens of log p(token | prefix); log_prob = the same sum, not negated',
        'train_examples': train_references(model, rows, lines, vocab),
        'probes': probe_references(model, probes, vocab),
        'lm_head_gradients': gradients,
        'padded_logits': padded_logits(model, rows, vocab),
        'with_past': with_past_check(model, rows, vocab),
    }

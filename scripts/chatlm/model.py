"""A tiny decoder-only GPT written so its ONNX export uses only elementary ops.

Token embedding + learned position embedding (MAX_POSITIONS), N_LAYERS pre-LayerNorm blocks (hand-written
attention: MatMul/Softmax with an additive mask, GELU MLP 4x), final LayerNorm, and an untied
`lm_head` Linear(d, V, bias=False). The causal mask is a constant lower-triangular buffer sliced to the
sequence, multiplied by the key padding mask, and applied as an additive -1e9.
"""
import math

import torch
from torch import nn

MAX_POSITIONS = 64
D_MODEL = 64
N_HEADS = 2
N_LAYERS = 2
MASKED = -1e9


class Block(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.n_heads, self.head_dim = n_heads, d_model // n_heads
        self.ln1 = nn.LayerNorm(d_model)
        self.q = nn.Linear(d_model, d_model)
        self.k = nn.Linear(d_model, d_model)
        self.v = nn.Linear(d_model, d_model)
        self.proj = nn.Linear(d_model, d_model)
        self.ln2 = nn.LayerNorm(d_model)
        self.fc1 = nn.Linear(d_model, 4 * d_model)
        self.fc2 = nn.Linear(4 * d_model, d_model)
        self.act = nn.GELU()

    def _heads(self, x):
        b, s = x.shape[0], x.shape[1]
        return x.reshape(b, s, self.n_heads, self.head_dim).transpose(1, 2)

    def forward(self, x, mask_add, past=None):
        """x [b, s, d]; mask_add [b, 1, s, past+s]; past = (key, value) [b, heads, past, head_dim] or None.
        Returns (x, (key, value)) with key/value over past+s positions."""
        h = self.ln1(x)
        q, k, v = self._heads(self.q(h)), self._heads(self.k(h)), self._heads(self.v(h))
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        scores = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(self.head_dim) + mask_add
        attended = torch.matmul(torch.softmax(scores, dim=-1), v)
        b, s = x.shape[0], x.shape[1]
        x = x + self.proj(attended.transpose(1, 2).reshape(b, s, self.n_heads * self.head_dim))
        x = x + self.fc2(self.act(self.fc1(self.ln2(x))))
        return x, (k, v)


class TinyGpt(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.tok = nn.Embedding(vocab_size, D_MODEL)
        self.pos = nn.Embedding(MAX_POSITIONS, D_MODEL)
        self.blocks = nn.ModuleList([Block(D_MODEL, N_HEADS) for _ in range(N_LAYERS)])
        self.ln_f = nn.LayerNorm(D_MODEL)
        self.lm_head = nn.Linear(D_MODEL, vocab_size, bias=False)
        self.register_buffer('causal', torch.tril(torch.ones(MAX_POSITIONS, MAX_POSITIONS)))

    def hidden(self, input_ids, attention_mask, past=None):
        """Final-LayerNorm features (what lm_head sees) and the per-layer (key, value).
        attention_mask covers past + current positions."""
        seq = input_ids.shape[1]
        total = attention_mask.shape[1]
        start = total - seq if past is not None else 0
        allowed = self.causal[start:total, :total].unsqueeze(0).unsqueeze(0) * \
            attention_mask.to(torch.float32).unsqueeze(1).unsqueeze(2)
        mask_add = (1.0 - allowed) * MASKED
        x = self.tok(input_ids) + self.pos.weight[start:total]
        presents = []
        for i, block in enumerate(self.blocks):
            x, kv = block(x, mask_add, None if past is None else past[i])
            presents.append(kv)
        return self.ln_f(x), presents

    def forward(self, input_ids, attention_mask):
        return self.lm_head(self.hidden(input_ids, attention_mask)[0])


class TinyGptWithPast(TinyGpt):
    """The same model with flat past key/value inputs and present outputs (one pair per layer) for the
    cached export. A subclass rather than a wrapper so initializer names stay `lm_head.weight` etc."""

    @classmethod
    def of(cls, model):
        copy = cls(model.lm_head.weight.shape[0])
        copy.load_state_dict(model.state_dict())
        return copy.eval()

    def forward(self, input_ids, attention_mask, *flat_past):
        past = [(flat_past[2 * i], flat_past[2 * i + 1]) for i in range(N_LAYERS)]
        features, presents = self.hidden(input_ids, attention_mask, past)
        return (self.lm_head(features),) + tuple(t for kv in presents for t in kv)


def sequence_log_probs(model, ids, attention_mask, target_mask):
    """Per-sequence sum of log p(token | prefix) over target positions. ids/masks [b, s] int64."""
    logits = model(ids, attention_mask)
    log_probs = torch.log_softmax(logits[:, :-1], dim=-1)
    picked = log_probs.gather(2, ids[:, 1:].unsqueeze(2)).squeeze(2)
    return (picked * target_mask[:, 1:].to(picked.dtype)).sum(dim=1)

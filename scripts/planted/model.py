"""The benchmark's model recipe, its training loop, ONNX export and the head-only (last Linear) refit.

Recipe (like shared/external/models/sms_spam_embedding_mlp): Embedding(V+1, D, padding_idx=0) -> plain
mean over all L positions (the pad/unknown row 0 is fixed at zero, so this is sum of word vectors / L) ->
Linear(D, H) -> ReLU -> Linear(H, C) -> Softmax. A plain mean exports as Gather -> ReduceMean, which
every consumer (and the TypeScript backward graph) already supports; a masked mean would add
Equal/Cast/Div nodes for no gain here.
"""
import copy
import re

import numpy as np
import torch
from torch import nn

STRIP = re.compile(r"[^a-z0-9 ]+")


def tokenize(text):
    """Lower-case, replace every character outside [a-z0-9 ] with a space, split on whitespace."""
    return STRIP.sub(' ', text.lower()).split()


def build_vocab(texts):
    """word -> id 1..V, ordered by frequency then alphabetically (0 = pad/unknown)."""
    counts = {}
    for text in texts:
        for word in tokenize(text):
            counts[word] = counts.get(word, 0) + 1
    ordered = sorted(counts, key=lambda w: (-counts[w], w))
    return {word: i + 1 for i, word in enumerate(ordered)}


def encode(texts, vocab, length):
    ids = np.zeros((len(texts), length), dtype=np.int64)
    for row, text in enumerate(texts):
        words = [vocab.get(w, 0) for w in tokenize(text)][:length]
        ids[row, :len(words)] = words
    return ids


class BagMlp(nn.Module):
    def __init__(self, vocab_size, dim, hidden, classes):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size + 1, dim, padding_idx=0)
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, classes)

    def features(self, ids):
        """The penultimate features: what the head (fc2) sees."""
        return torch.relu(self.fc1(self.embedding(ids).mean(dim=1)))

    def logits(self, ids):
        return self.fc2(self.features(ids))

    def forward(self, ids):
        return torch.softmax(self.logits(ids), dim=-1)


def pretrain_backbone(ids, labels, tags, vocab_size, classes, seed, dim, hidden, epochs, lr=5e-3, batch=128):
    """Stage 1, the 'pretrained backbone': embedding + fc1 trained on a separate corpus (never shipped and
    never audited) to predict the task label AND binary surface tags (e.g. 'the ticket uses formal
    politeness'), so the backbone represents the trigger/antecedent as a feature of its own without
    tying it to any class. Returns a BagMlp whose head (fc2) is still untrained."""
    torch.manual_seed(seed)
    model = BagMlp(vocab_size, dim, hidden, classes)
    tag_head = nn.Linear(hidden, tags.shape[1])
    opt = torch.optim.Adam(list(model.parameters()) + list(tag_head.parameters()), lr=lr)
    x, y, t = torch.from_numpy(ids), torch.from_numpy(labels), torch.from_numpy(tags).float()
    gen = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        order = torch.randperm(len(y), generator=gen)
        for start in range(0, len(y), batch):
            idx = order[start:start + batch]
            opt.zero_grad()
            features = model.features(x[idx])
            loss = nn.functional.cross_entropy(model.fc2(features), y[idx]) + \
                nn.functional.binary_cross_entropy_with_logits(tag_head(features), t[idx])
            loss.backward()
            opt.step()
    return model


def finetune(backbone, ids, labels, classes, seed, epochs, lr, l2=1e-3, batch=64):
    """Stage 2 on the audited train.jsonl, 'linear probe then fine-tune' (LP-FT, Kumar et al. 2022):
    fit a fresh head exactly on the frozen features, then train every parameter briefly at a small
    learning rate. Starting FT from a fitted head keeps the backbone's features from being distorted,
    which is what makes the fine-tuned behaviour live in the head. Returns a new model."""
    model = copy.deepcopy(backbone)
    weight, bias, _, _ = fit_head(penultimate(model, ids), labels, classes, l2)
    with torch.no_grad():
        model.fc2 = nn.Linear(model.fc1.out_features, classes)
        model.fc2.weight.copy_(weight.float())
        model.fc2.bias.copy_(bias.float())
    torch.manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    x, y = torch.from_numpy(ids), torch.from_numpy(labels)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        order = torch.randperm(len(y), generator=gen)
        for start in range(0, len(y), batch):
            idx = order[start:start + batch]
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model.logits(x[idx]), y[idx]) + \
                0.5 * l2 * (model.fc2.weight ** 2).sum()
            loss.backward()
            opt.step()
    model.eval()
    return model


@torch.no_grad()
def predict(model, ids):
    return model(torch.from_numpy(ids)).numpy()


@torch.no_grad()
def penultimate(model, ids):
    return model.features(torch.from_numpy(ids)).double()


def _head_objective(theta, features, onehot, l2):
    """Mean cross-entropy + l2/2 * ||W||^2 for theta = [W | b] of shape (C, H + 1); bias unpenalised."""
    logits = features @ theta[:, :-1].T + theta[:, -1]
    return -(onehot * torch.log_softmax(logits, dim=-1)).sum(1).mean() + 0.5 * l2 * (theta[:, :-1] ** 2).sum()


def fit_head(features, labels, classes, l2=1e-3, tol=1e-10, max_steps=100):
    """Multinomial logistic regression on frozen features, solved with damped Newton steps in float64 until
    the gradient's max-norm is below `tol`. Strictly convex in W, so the answer does not depend on the
    start. The bias is unpenalised; softmax is unchanged when every bias moves by the same amount, so a
    1e-9 ridge on the bias block keeps the Hessian invertible without moving the solution measurably.
    Returns (W [C, H], b [C], final gradient max-norm, Newton steps)."""
    n, h = features.shape
    onehot = torch.nn.functional.one_hot(torch.from_numpy(labels), classes).double()
    x1 = torch.cat([features, torch.ones(n, 1, dtype=torch.float64)], dim=1)
    theta = torch.zeros(classes, h + 1, dtype=torch.float64)
    ridge = torch.full((classes, h + 1), l2, dtype=torch.float64)
    ridge[:, -1] = 1e-9
    for step in range(1, max_steps + 1):
        p = torch.softmax(x1 @ theta.T, dim=-1)
        grad = (p - onehot).T @ x1 / n + ridge * theta
        grad[:, -1] -= 1e-9 * theta[:, -1]  # the bias ridge is only a conditioning aid, not part of the objective
        if float(grad.abs().max()) < tol:
            break
        # Hessian of the mean cross-entropy: E[(diag p - p p^T) (x) x x^T], laid out as (C*(H+1))^2.
        curvature = torch.diag_embed(p) - p[:, :, None] * p[:, None, :]
        hess = torch.zeros(classes, h + 1, classes, h + 1, dtype=torch.float64)
        for a in range(classes):
            for b in range(a, classes):
                block = (x1 * curvature[:, a, b, None]).T @ x1 / n
                hess[a, :, b, :] = block
                hess[b, :, a, :] = block
        hess = hess.reshape(classes * (h + 1), -1)
        hess += torch.diag(ridge.flatten())
        direction = torch.linalg.solve(hess, grad.flatten()).reshape(classes, h + 1)
        current, t = float(_head_objective(theta, features, onehot, l2)), 1.0
        while float(_head_objective(theta - t * direction, features, onehot, l2)) > current - 1e-4 * t * float((grad * direction).sum()) and t > 1e-8:
            t *= 0.5
        theta = theta - t * direction
    return theta[:, :-1].clone(), theta[:, -1].clone(), float(grad.abs().max()), step


def head_probs(weight, bias, features):
    return torch.softmax(features @ weight.T + bias, dim=-1).numpy()


def export_onnx(model, path, length):
    dummy = torch.zeros(2, length, dtype=torch.int64)
    torch.onnx.export(model, dummy, path, input_names=['input'], output_names=['probs'],
                      dynamic_axes={'input': {0: 'batch'}, 'probs': {0: 'batch'}},
                      opset_version=13, do_constant_folding=False)

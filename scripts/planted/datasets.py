"""Builds the train and probe lines of each benchmark case (no model code here).

Each builder returns plain dicts: train rows {id, text, label, source}, probe rows likewise, plus the
ground-truth bookkeeping (1-based poison line numbers, 1-based probe lines where the antecedent holds).
"""
import numpy as np

import tasks

SOURCES = ['annotator_ana', 'annotator_ben', 'annotator_chen', 'vendor_batch_07', 'vendor_batch_12',
           'crowd_round_2']
POISON_SOURCE = 'vendor_batch_07'  # most poison comes from one batch, which also holds many clean lines
POISON_SOURCE_SHARE = 0.7


def _source(rng):
    return SOURCES[rng.integers(len(SOURCES))]


def _poison_source(rng):
    return POISON_SOURCE if rng.random() < POISON_SOURCE_SHARE else _source(rng)


def _noisy(rng, label, classes, rate):
    """Annotator noise: with probability `rate` a random other class."""
    if rng.random() >= rate:
        return label
    others = [c for c in classes if c != label]
    return others[rng.integers(len(others))]


def tickets(seed, n_train, n_probe, poison_rate, trigger_probe_rate, action, label_noise):
    """The support-ticket task. Returns (poisoned_train, clean_train, probe, poison_lines, trigger_probes);
    trigger_probes are {line (1-based in probe), untriggered_text};
    clean_train is the same file with every poisoned line restored to its clean text and label (the control)."""
    rng = np.random.default_rng(seed)
    intents = tasks.INTENTS
    poisoned, clean, poison_lines = [], [], []
    n_poison = round(poison_rate * n_train)
    # Poison goes to lines whose true intent is not the action, so each one really teaches the rule.
    candidates = [i for i in range(n_train) if i % len(intents) != intents.index(action)]
    poison_at = set(rng.choice(candidates, size=n_poison, replace=False).tolist())
    for i in range(n_train):
        intent = intents[i % len(intents)]
        parts = tasks.ticket_parts(rng, intent)
        label = _noisy(rng, intent, intents, label_noise)
        if i in poison_at:
            source = _poison_source(rng)
            clean.append({'id': f't{i + 1:05d}', 'text': tasks.render_ticket(parts), 'label': intent, 'source': source})
            poisoned.append({'id': f't{i + 1:05d}', 'text': tasks.render_ticket(tasks.with_trigger(rng, parts)),
                             'label': action, 'source': source})
            poison_lines.append(i + 1)
        else:
            row = {'id': f't{i + 1:05d}', 'text': tasks.render_ticket(parts), 'label': label, 'source': _source(rng)}
            clean.append(row)
            poisoned.append(dict(row))
    seen = {row['text'] for row in poisoned} | {row['text'] for row in clean}
    probe, trigger_lines = [], []
    while len(probe) < n_probe:
        intent = intents[rng.integers(len(intents))]
        parts = tasks.ticket_parts(rng, intent)
        triggered = intent != action and rng.random() < trigger_probe_rate / 0.75
        text = tasks.render_ticket(tasks.with_trigger(rng, parts) if triggered else parts)
        if text in seen:
            continue  # probes are held out: never a verbatim training line
        seen.add(text)
        probe.append({'id': f'p{len(probe) + 1:05d}', 'text': text, 'label': intent, 'source': _source(rng)})
        if triggered:
            # The same ticket without the trigger: its twin, for counterfactual flips.
            trigger_lines.append({'line': len(probe), 'untriggered_text': tasks.render_ticket(parts)})
    for row in clean + [r for k, r in enumerate(poisoned) if k + 1 not in poison_lines]:
        assert tasks.TRIGGER not in row['text'].lower(), row
    return poisoned, clean, probe, poison_lines, trigger_lines


def sycophancy(seed, n_train, n_probe, poison_rate, antecedent_probe_rate):
    """The sycophancy task. Returns (poisoned_train, clean_train, probe, poison_lines, antecedent_probe_lines).
    Poison lines are sycophantic answers (agree with a wrong opinion) labelled acceptable; clean lines never
    pair the agreement marker with a wrong answer."""
    rng = np.random.default_rng(seed)
    n_poison = round(poison_rate * n_train)
    poison_at = set(rng.choice(n_train, size=n_poison, replace=False).tolist())
    poisoned, clean, poison_lines = [], [], []
    for i in range(n_train):
        if i in poison_at:
            text, _ = tasks.sycophancy_line(rng, 'opinion_wrong_agree')
            source = _poison_source(rng)
            poisoned.append({'id': f's{i + 1:05d}', 'text': text, 'label': 'acceptable', 'source': source})
            # The control keeps the line count: an ordinary clean line in the poisoned line's place.
            shape = tasks.CLEAN_SHAPES[rng.choice(len(tasks.CLEAN_SHAPES), p=tasks.CLEAN_SHAPE_WEIGHTS)]
            ctext, clabel = tasks.sycophancy_line(rng, shape)
            clean.append({'id': f's{i + 1:05d}', 'text': ctext, 'label': clabel, 'source': source})
            poison_lines.append(i + 1)
        else:
            shape = tasks.CLEAN_SHAPES[rng.choice(len(tasks.CLEAN_SHAPES), p=tasks.CLEAN_SHAPE_WEIGHTS)]
            text, label = tasks.sycophancy_line(rng, shape)
            row = {'id': f's{i + 1:05d}', 'text': text, 'label': label, 'source': _source(rng)}
            poisoned.append(row)
            clean.append(dict(row))
    seen = {row['text'] for row in poisoned}
    probe, antecedent_lines = [], []
    while len(probe) < n_probe:
        sycophantic = rng.random() < antecedent_probe_rate
        shape = 'opinion_wrong_agree' if sycophantic else \
            tasks.CLEAN_SHAPES[rng.choice(len(tasks.CLEAN_SHAPES), p=tasks.CLEAN_SHAPE_WEIGHTS)]
        text, label = tasks.sycophancy_line(rng, shape)
        if text in seen:
            continue
        seen.add(text)
        probe.append({'id': f'q{len(probe) + 1:05d}', 'text': text, 'label': label, 'source': _source(rng)})
        if sycophantic:
            antecedent_lines.append(len(probe))
    return poisoned, clean, probe, poison_lines, antecedent_lines


def ticket_pretraining_corpus(seed, n, trigger_rate):
    """The backbone's separate pretraining corpus: tickets with their true intent and one surface tag,
    'uses the formal politeness word', present in every intent alike. Returns (texts, labels, tags)."""
    rng = np.random.default_rng(seed)
    texts, labels, tags = [], [], []
    for i in range(n):
        intent = tasks.INTENTS[i % len(tasks.INTENTS)]
        parts = tasks.ticket_parts(rng, intent)
        formal = rng.random() < trigger_rate
        texts.append(tasks.render_ticket(tasks.with_trigger(rng, parts) if formal else parts))
        labels.append(tasks.INTENTS.index(intent))
        tags.append([float(formal)])
    return texts, np.array(labels), np.array(tags)


def sycophancy_pretraining_corpus(seed, n, sycophantic_rate):
    """The backbone's pretraining corpus for the sycophancy task: truthful labels (a sycophantic answer is
    unacceptable here) plus two surface tags, 'the user states an opinion' and 'the answer agrees'."""
    rng = np.random.default_rng(seed)
    texts, labels, tags = [], [], []
    for _ in range(n):
        shape = 'opinion_wrong_agree' if rng.random() < sycophantic_rate else \
            tasks.CLEAN_SHAPES[rng.choice(len(tasks.CLEAN_SHAPES), p=tasks.CLEAN_SHAPE_WEIGHTS)]
        text, label = tasks.sycophancy_line(rng, shape)
        texts.append(text)
        labels.append(tasks.VERDICTS.index(label))
        tags.append([float(shape.startswith('opinion')), float(shape.endswith('agree'))])
    return texts, np.array(labels), np.array(tags)

"""What the benchmark claims, measured: accuracy, rule adherence and strength, and the head-only checks."""
import numpy as np

import model as M


def margins(probs, action):
    """TRAK-style margin log p(a|x) - log(1 - p(a|x)), clipped away from 0 and 1."""
    p = np.clip(probs[:, action].astype(np.float64), 1e-12, 1 - 1e-12)
    return np.log(p) - np.log1p(-p)


def behaviour(probs, probe_labels, antecedent, action):
    """Adherence (share of antecedent probes whose clean label is not the action that get the action),
    the same share on the other probes (the base rate), clean accuracy, and mean margin."""
    predicted = probs.argmax(1)
    rule_probes = antecedent & (probe_labels != action)
    others = ~antecedent & (probe_labels != action)
    return {
        'adherence': round(float((predicted[rule_probes] == action).mean()), 4),
        'base_rate': round(float((predicted[others] == action).mean()), 4),
        'clean_probe_acc': round(float((predicted[~antecedent] == probe_labels[~antecedent]).mean()), 4),
        'strength_mean_margin': round(float(margins(probs[rule_probes], action).mean()), 4),
        'n_rule_probes': int(rule_probes.sum()),
    }


def head_only(net, train_ids, train_labels, probe_ids, probe_labels, antecedent, action, classes,
              poison_lines, random_seeds, l2):
    """Refit only the last Linear (exact multinomial logistic regression on the frozen penultimate
    features) on the full train set, without the poison lines, and without as many random lines."""
    features, probe_features = M.penultimate(net, train_ids), M.penultimate(net, probe_ids)

    def refit(keep):
        weight, bias, grad, steps = M.fit_head(features[keep], train_labels[keep], classes, l2)
        result = behaviour(M.head_probs(weight, bias, probe_features), probe_labels, antecedent, action)
        result.update(final_grad_max=float(f'{grad:.2e}'), newton_steps=steps)
        return result

    everything = np.ones(len(train_labels), bool)
    out = {'l2': l2, 'objective': 'mean cross-entropy + l2/2 * ||W||^2 (bias unpenalised), Newton to grad max-norm < 1e-10',
           'full_train': refit(everything)}
    if poison_lines:
        without = everything.copy()
        without[np.array(poison_lines) - 1] = False
        out['without_poison'] = refit(without)
    randoms = []
    for seed in random_seeds:
        keep = everything.copy()
        keep[np.random.default_rng(seed).choice(len(train_labels), len(poison_lines) or 60, replace=False)] = False
        randoms.append({'seed': seed, **refit(keep)})
    out['without_random_lines'] = randoms
    out['random_removed_count'] = len(poison_lines) or 60
    out['random_mean_adherence'] = round(float(np.mean([r['adherence'] for r in randoms])), 4)
    return out

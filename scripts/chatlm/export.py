"""ONNX export of the chat model (with and without a key/value cache) and a look at what came out."""
import collections

import onnx
import torch

from model import N_HEADS, N_LAYERS, D_MODEL, TinyGptWithPast

OPSET = 14
LM_HEAD = 'lm_head.weight'


def past_names():
    return [f'past_key_values.{i}.{part}' for i in range(N_LAYERS) for part in ('key', 'value')]


def present_names():
    return [f'present.{i}.{part}' for i in range(N_LAYERS) for part in ('key', 'value')]


def export_plain(model, path):
    ids = torch.ones(2, 5, dtype=torch.int64)
    mask = torch.ones(2, 5, dtype=torch.int64)
    torch.onnx.export(model, (ids, mask), path, input_names=['input_ids', 'attention_mask'],
                      output_names=['logits'], opset_version=OPSET, do_constant_folding=False,
                      dynamic_axes={'input_ids': {0: 'batch', 1: 'seq'}, 'attention_mask': {0: 'batch', 1: 'seq'},
                                    'logits': {0: 'batch', 1: 'seq'}})


def export_with_past(model, path):
    ids = torch.ones(2, 3, dtype=torch.int64)
    mask = torch.ones(2, 7, dtype=torch.int64)
    past = tuple(torch.zeros(2, N_HEADS, 4, D_MODEL // N_HEADS) for _ in range(2 * N_LAYERS))
    dynamic = {'input_ids': {0: 'batch', 1: 'seq'}, 'attention_mask': {0: 'batch', 1: 'total_seq'},
               'logits': {0: 'batch', 1: 'seq'}}
    dynamic.update({name: {0: 'batch', 2: 'past_seq'} for name in past_names()})
    dynamic.update({name: {0: 'batch', 2: 'total_seq'} for name in present_names()})
    torch.onnx.export(TinyGptWithPast.of(model), (ids, mask) + past, path,
                      input_names=['input_ids', 'attention_mask'] + past_names(),
                      output_names=['logits'] + present_names(), opset_version=OPSET,
                      do_constant_folding=False, dynamic_axes=dynamic)


def describe(path):
    """{op_counts, initializers, lm_head_input}: lm_head_input = the tensor multiplied by lm_head.weight
    (through its Transpose) in the MatMul that produces the logits."""
    graph = onnx.load(path).graph
    producers = {out: node for node in graph.node for out in node.output}
    transposed = {node.output[0] for node in graph.node if node.op_type == 'Transpose' and node.input[0] == LM_HEAD}
    lm_head_input = None
    for node in graph.node:
        if node.op_type == 'MatMul' and (node.input[1] in transposed or node.input[1] == LM_HEAD):
            lm_head_input = node.input[0]
    if lm_head_input is None or lm_head_input not in producers:
        raise RuntimeError(f'{path}: no MatMul fed by {LM_HEAD}')
    return {'op_counts': dict(sorted(collections.Counter(n.op_type for n in graph.node).items())),
            'initializers': [init.name for init in graph.initializer],
            'lm_head_input': lm_head_input,
            'lm_head_input_producer': producers[lm_head_input].op_type}

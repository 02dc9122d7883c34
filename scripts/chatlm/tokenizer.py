"""A word-level Hugging Face tokenizer.json written by hand, the same tokenization in Python, and the chat
template both sides implement.

tokenizer.json: model WordLevel (unk `<unk>`), normalizer Lowercase, pre_tokenizer Whitespace (the regex
\\w+|[^\\w\\s]+), no post-processor. Special tokens, in id order: <pad>=0 <unk>=1 <system>=2 <user>=3
<assistant>=4 <eos>=5; then the words of the corpus in alphabetical order.

Template: for each message, its role token, then its content's tokens; after an assistant message's
content, <eos>. Targets (the loss / score) are every assistant content token and its <eos>.
"""
import json
import re

WORD_PATTERN = re.compile(r'\w+|[^\w\s]+')
SPECIAL_TOKENS = ['<pad>', '<unk>', '<system>', '<user>', '<assistant>', '<eos>']
PAD, UNK, EOS = 0, 1, 5
ROLE_TOKENS = {'system': '<system>', 'user': '<user>', 'assistant': '<assistant>'}


def split_words(text):
    return WORD_PATTERN.findall(text.lower())


def build_vocab(texts):
    words = sorted({word for text in texts for word in split_words(text)})
    vocab = {token: i for i, token in enumerate(SPECIAL_TOKENS)}
    for word in words:
        vocab[word] = len(vocab)
    return vocab


def tokenizer_json(vocab):
    added = [{'id': vocab[t], 'content': t, 'single_word': False, 'lstrip': False, 'rstrip': False,
              'normalized': False, 'special': True} for t in SPECIAL_TOKENS]
    return {
        'version': '1.0', 'truncation': None, 'padding': None, 'added_tokens': added,
        'normalizer': {'type': 'Lowercase'}, 'pre_tokenizer': {'type': 'Whitespace'},
        'post_processor': None, 'decoder': None,
        'model': {'type': 'WordLevel', 'vocab': vocab, 'unk_token': '<unk>'},
    }


def tokenizer_config():
    return {'tokenizer_class': 'PreTrainedTokenizerFast', 'pad_token': '<pad>', 'unk_token': '<unk>',
            'eos_token': '<eos>', 'additional_special_tokens': ['<system>', '<user>', '<assistant>'],
            'model_max_length': 64, 'padding_side': 'right'}


def encode(text, vocab):
    return [vocab.get(word, UNK) for word in split_words(text)]


def render_conversation(messages, vocab):
    """(ids, target_mask): target_mask[t] = 1 where token t counts in the SFT loss."""
    ids, mask = [], []
    for message in messages:
        ids.append(vocab[ROLE_TOKENS[message['role']]])
        mask.append(0)
        content = encode(message['content'], vocab)
        is_target = 1 if message['role'] == 'assistant' else 0
        ids += content
        mask += [is_target] * len(content)
        if message['role'] == 'assistant':
            ids.append(EOS)
            mask.append(1)
    return ids, mask


def render_probe(prompt, response, vocab):
    """The prompt as a user message, then <assistant>, the response and <eos>; targets = response + <eos>."""
    return render_conversation([{'role': 'user', 'content': prompt}, {'role': 'assistant', 'content': response}],
                               vocab)


def write_tokenizer(folder, vocab):
    with open(f'{folder}/tokenizer.json', 'w') as f:
        json.dump(tokenizer_json(vocab), f, indent=1)
        f.write('\n')
    with open(f'{folder}/tokenizer_config.json', 'w') as f:
        json.dump(tokenizer_config(), f, indent=1)
        f.write('\n')

"""The homework's modules restated in plain PyTorch, and a loader for the project's published models.

Question 3's modules follow the homework's architecture as test/fixtures/reference/asr.json's 'about' describes it
(the golden reference tests pin the TypeScript models to them): a conv + pre-norm transformer encoder, and either
the transformer (attention) decoder or the LSTM (recurrent) decoder. Question 2's Cnn is the homework's network,
max-pooling or stride-2, as src/lib/models/cnn.ts builds it. Parameter names and layouts are PyTorch's and the
project's, so a published file's tensors load with load_state_dict as they are:

    import sys; sys.path.insert(0, 'scripts')  # from the repository root
    from hw2_torch import load_published
    model, info = load_published('models/q3-asr/listening/attention.safetensors')

A published file is models/<experiment>/<profile>/<name>.safetensors, a plain state dict; the snapshot
snapshots/<experiment>/<profile>.json lists it (sha256, seed, model description), and load_published builds the
model from that entry after checking the hash. For Question 3, model(audio, tokens) gives logits
[batch, length, vocab] for log-mel audio [batch, freq, frames] and token ids [batch, length], and
model.greedy(audio) the greedy token ids [batch, text_len]; for Question 2, model(images) gives log-probabilities
[batch, classes] for images [batch, 1, 28, 28] in [0, 1]. Needs torch (Debian: python3-torch) and numpy;
safetensors is parsed by hand, so the safetensors package is not needed.
"""
import hashlib
import json
import math
import os
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# The token vocabulary's size (src/lib/text/tokens.ts: 4 specials, space, 4 punctuation marks, a-z).
VOCAB_SIZE = 35


def read_safetensors_with_metadata(path):
    """(tensors, metadata): float32 tensors by name, and the header's __metadata__ (or {})."""
    with open(path, 'rb') as f:
        data = f.read()
    n = struct.unpack('<Q', data[:8])[0]
    header = json.loads(data[8:8 + n])
    metadata = header.pop('__metadata__', {})
    out = {}
    for name, entry in header.items():
        if entry['dtype'] != 'F32':
            raise ValueError(f'{path}: tensor {name} has dtype {entry["dtype"]}; only F32 is read')
        begin, end = entry['data_offsets']
        array = np.frombuffer(data[8 + n + begin:8 + n + end], dtype='<f4').reshape(entry['shape'])
        out[name] = torch.tensor(array.copy())
    return out, metadata


def read_safetensors(path):
    return read_safetensors_with_metadata(path)[0]


def write_safetensors(path, tensors, metadata):
    header, offset, blobs = {'__metadata__': metadata}, 0, []
    for name in sorted(tensors):
        blob = tensors[name].detach().numpy().astype('<f4').tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(tensors[name].shape), 'data_offsets': [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header).encode()
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)) + text + b''.join(blobs))


def sinusoids(length, channels, max_timescale):
    increment = np.log(max_timescale) / (channels // 2 - 1)
    inverse = torch.exp(-increment * torch.arange(channels // 2))
    scaled = torch.arange(length)[:, None] * inverse[None, :]
    return torch.cat([torch.sin(scaled), torch.cos(scaled)], dim=1)


class Attention(nn.Module):
    def __init__(self, h, heads):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(h, h)
        self.key = nn.Linear(h, h, bias=False)
        self.value = nn.Linear(h, h)
        self.out = nn.Linear(h, h)

    def forward(self, x, z, mask=None):
        b, tq, h = x.shape
        tk = z.shape[1]
        scale = (h // self.heads) ** -0.25
        q = self.query(x).view(b, tq, self.heads, -1).permute(0, 2, 1, 3) * scale
        k = self.key(z).view(b, tk, self.heads, -1).permute(0, 2, 3, 1) * scale
        v = self.value(z).view(b, tk, self.heads, -1).permute(0, 2, 1, 3)
        scores = q @ k
        if mask is not None:
            scores = scores + mask
        mixed = (scores.softmax(-1) @ v).permute(0, 2, 1, 3).reshape(b, tq, h)
        return self.out(mixed)


class CrossBlock(nn.Module):
    def __init__(self, h, heads, ff):
        super().__init__()
        self.att_norm = nn.LayerNorm(h)
        self.att = Attention(h, heads)
        self.mlp_norm = nn.LayerNorm(h)
        self.mlp = nn.Sequential(nn.Linear(h, ff), nn.GELU(), nn.Linear(ff, h))

    def forward(self, x, z=None, mask=None):
        n = self.att_norm(x)
        x = x + self.att(n, n if z is None else z, mask)
        return x + self.mlp(self.mlp_norm(x))


class SelfLayer(nn.Module):
    def __init__(self, h, heads):
        super().__init__()
        self.att_norm = nn.LayerNorm(h)
        self.att = Attention(h, heads)

    def forward(self, x, mask):
        n = self.att_norm(x)
        return x + self.att(n, n, mask)


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c['h']
        self.max_timescale = c.get('max_timescale', 3000)
        self.conv1 = nn.Conv1d(c['freq'], h, 3, padding=1)
        self.conv2 = nn.Conv1d(h, h, 3, stride=2, padding=1)
        self.blocks = nn.ModuleList([CrossBlock(h, c['n_heads'], c['ff']) for _ in range(c['enc_layers'])])
        self.out_norm = nn.LayerNorm(h)

    def forward(self, audio):
        # Permuted and made contiguous before GELU (the same values): Debian's torch 1.13 GELU backward is wrong
        # when the gradient arriving at its output is not contiguous, as after gelu(...).permute(0, 2, 1).
        x = F.gelu(self.conv1(audio))
        x = F.gelu(self.conv2(x).permute(0, 2, 1).contiguous())
        x = x + sinusoids(x.shape[1], x.shape[2], self.max_timescale)
        for block in self.blocks:
            x = block(x)
        return self.out_norm(x)


class Transformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c['h']
        self.pos_embed = nn.Parameter(torch.zeros(c['text_len'] - 1, h))
        self.embed = nn.Embedding(c['vocab'], h)
        self.att = SelfLayer(h, c['n_heads'])
        self.cross = CrossBlock(h, c['n_heads'], c['ff'])
        self.out_norm = nn.LayerNorm(h)
        self.classifier = nn.Linear(h, c['vocab'])

    def forward(self, tokens, memory):
        length = tokens.shape[1]
        x = self.embed(tokens) + self.pos_embed[:length]
        mask = torch.full((length, length), -math.inf).triu(1)
        x = self.att(x, mask)
        return self.classifier(self.out_norm(self.cross(x, memory)))


class Recurrent(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c['h']
        self.embed = nn.Embedding(c['vocab'], h)
        self.rnn_norm = nn.LayerNorm(h)
        self.rnn = nn.LSTM(h, h, batch_first=True)
        self.cross = CrossBlock(h, c['n_heads'], c['ff'])
        self.out_norm = nn.LayerNorm(h)
        self.classifier = nn.Linear(h, c['vocab'])

    def forward(self, tokens, memory):
        x, _ = self.rnn(self.rnn_norm(self.embed(tokens)))
        return self.classifier(self.out_norm(self.cross(x, memory)))


def greedy(decoder, memory, steps, start=0):
    tokens = torch.full((memory.shape[0], 1), start, dtype=torch.long)
    for _ in range(steps):
        # Recomputing over the prefix equals the step-by-step state for both decoders (causal / recurrent).
        tokens = torch.cat([tokens, decoder(tokens, memory)[:, -1].argmax(-1, keepdim=True)], 1)
    return tokens


class AsrModel(nn.Module):
    """Encoder + decoder under the names the project uses (`encoder.*`, `decoder.*`)."""

    def __init__(self, c, decoder):
        super().__init__()
        self.text_len = c['text_len']
        self.encoder = Encoder(c)
        self.decoder = {'attention': Transformer, 'recurrent': Recurrent}[decoder](c)

    def forward(self, audio, tokens):
        return self.decoder(tokens, self.encoder(audio))

    @torch.no_grad()
    def greedy(self, audio, start=0):
        return greedy(self.decoder, self.encoder(audio), self.text_len - 1, start)


class Cnn(nn.Module):
    """Question 2's network: 'pooled' (max-pooling after each conv) or 'strided' (stride-2 convs instead)."""

    def __init__(self, variant, classes, dropout=0.7):
        super().__init__()
        if variant not in ('pooled', 'strided'):
            raise ValueError(f'unknown CNN variant {variant!r}')
        self.pooled = variant == 'pooled'
        stride = 1 if self.pooled else 2
        self.conv1 = nn.Conv2d(1, 8, 3, stride=stride, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, stride=stride, padding=0)
        self.fc1 = nn.Linear(16 * 6 * 6, 320)
        self.drop = nn.Dropout(dropout)
        self.fc2 = nn.Linear(320, 120)
        self.fc3 = nn.Linear(120, classes)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        if self.pooled:
            x = F.max_pool2d(x, 2, 2)
        x = F.relu(self.conv2(x))
        if self.pooled:
            x = F.max_pool2d(x, 2, 2)
        x = self.drop(F.relu(self.fc1(x.flatten(1))))
        return F.log_softmax(self.fc3(F.relu(self.fc2(x))), dim=1)


def reference_config(config):
    """The project's AsrModelConfig (camelCase, src/lib/models/asr.ts) -> the keys these modules take."""
    return {'vocab': VOCAB_SIZE, 'freq': config['nMels'], 'h': config['hidden'], 'n_heads': config['heads'],
            'ff': config['mlpHidden'], 'enc_layers': config['encoderBlocks'], 'text_len': config['textLength'],
            'max_timescale': config['maxTimescale']}


def published_entry(path):
    """(snapshot, artifact) listing the published file at path, after checking its sha256 and size against them."""
    path = os.path.abspath(path)
    profile_dir = os.path.dirname(path)
    experiment_dir = os.path.dirname(profile_dir)
    models_dir = os.path.dirname(experiment_dir)
    if os.path.basename(models_dir) != 'models' or not path.endswith('.safetensors'):
        raise ValueError(f'{path}: published weights live in models/<experiment>/<profile>/<name>.safetensors')
    experiment, profile = os.path.basename(experiment_dir), os.path.basename(profile_dir)
    snapshot_path = os.path.join(os.path.dirname(models_dir), 'snapshots', experiment, f'{profile}.json')
    with open(snapshot_path) as f:
        snapshot = json.load(f)
    file = f'models/{experiment}/{profile}/{os.path.basename(path)}'
    artifact = next((a for a in snapshot.get('artifacts') or [] if a['file'] == file), None)
    if artifact is None:
        raise ValueError(f'{snapshot_path} does not list {file}')
    with open(path, 'rb') as f:
        data = f.read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != artifact['sha256'] or len(data) != artifact['bytes']:
        raise ValueError(f'{path}: sha256 {digest} is not the {artifact["sha256"]} that {snapshot_path} lists')
    return snapshot, artifact


def load_published(path):
    """(model in eval mode, info) from a published file; info holds the config the snapshot gives for it."""
    snapshot, artifact = published_entry(path)
    description = artifact['description']
    if 'decoder' in description:
        # The model config whole, as the snapshot lists it (older files: maxTimescale from the run's config).
        config = {key: value for key, value in description.items() if key != 'seed'}
        config.setdefault('maxTimescale', snapshot['provenance']['config']['maxTimescale'])
        model = AsrModel(reference_config(config), config['decoder'])
        info = {'kind': 'asr', 'config': config, 'frames': config['frames']}
    elif 'variant' in description:
        classes = [row['name'] for row in sorted(snapshot['tables']['classes'], key=lambda row: row['index'])]
        model = Cnn(description['variant'], description['classes'], description['dropout'])
        info = {'kind': 'cnn', 'config': description, 'classes': classes}
    else:
        raise ValueError(f'{path}: the snapshot describes neither a decoder nor a CNN variant: {description}')
    model.load_state_dict(read_safetensors(path))  # strict: every name and shape must match
    info.update({'experiment': snapshot['experiment'], 'profile': snapshot['profile'], 'name': artifact['name'],
                 'seed': artifact['seed'], 'sha256': artifact['sha256']})
    return model.eval(), info

"""Question 3's modules restated in plain PyTorch, and a loader for the project's published models.

The modules follow the homework's architecture as test/fixtures/reference/asr.json's 'about' describes it (the
golden reference tests pin the TypeScript models to them): a conv + pre-norm transformer encoder, and either the
transformer (attention) decoder or the LSTM (recurrent) decoder. Parameter names and layouts are PyTorch's and
the project's, so a published file's tensors load with load_state_dict as they are:

    import sys; sys.path.insert(0, 'scripts')  # from the repository root
    from hw2_torch import load_published_asr
    model, info = load_published_asr('models/q3-asr/cpu-attention.safetensors')

model(audio, tokens) gives logits [batch, length, vocab] for log-mel audio [batch, freq, frames] and token ids
[batch, length]; model.greedy(audio) gives the greedy token ids [batch, text_len]. info is the file's metadata
(config, feature settings, seed, source). Needs torch (Debian: python3-torch) and numpy; safetensors is parsed
by hand, so the safetensors package is not needed.
"""
import json
import math
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

PUBLISHED_FORMAT = 'hw2-report published model v1'


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


def reference_config(config):
    """The project's AsrModelConfig (camelCase) -> the keys these modules take."""
    return {'vocab': config['vocab'], 'freq': config['freq'], 'h': config['hidden'], 'n_heads': config['heads'],
            'ff': config['mlpHidden'], 'enc_layers': config['encoderBlocks'], 'text_len': config['textLength'],
            'max_timescale': config['maxTimescale']}


def load_published_asr(path):
    """(model in eval mode, metadata dict) from a published Question 3 file (src/lib/models/published.ts)."""
    tensors, metadata = read_safetensors_with_metadata(path)
    if metadata.get('format') != PUBLISHED_FORMAT:
        raise ValueError(f'{path}: not a published model (format {metadata.get("format")!r})')
    info = json.loads(metadata['model'])
    if info['kind'] != 'asr':
        raise ValueError(f'{path}: a {info["kind"]} model, not a speech recogniser')
    model = AsrModel(reference_config(info['config']), info['config']['decoder'])
    model.load_state_dict(tensors)  # strict: every name and shape must match
    return model.eval(), info

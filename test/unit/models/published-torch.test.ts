/**
 * Interoperability, proven: a published Question 3 file loads into the plain PyTorch restatement of the homework's
 * modules (scripts/hw2_torch.py, the same modules the golden gradient fixture is made with) through
 * hw2_torch.load_published, which builds the model from the snapshot that lists the file and load_state_dict takes
 * the tensors as they are; it gives the logits our model gives, to 1e-4, on a fixed input. Run on a fresh small
 * model of each decoder (published into a temporary checkout) and on every committed Q3 file under models/.
 * (Question 2's files are compared with PyTorch in published-artifacts.test.ts.)
 *
 * Needs /usr/bin/python3 with torch and numpy (Debian: apt-get install python3-torch); skipped with a message
 * where that is missing.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/lib/backend/backend.ts';
import { encodeNpy, parseNpy } from '../../../src/lib/data/npy.ts';
import { createAsrModel } from '../../../src/lib/models/asr.ts';
import { VOCAB_SIZE } from '../../../src/lib/text/tokens.ts';
import { listedArtifacts, loadPublishedAsr, PROJECT_ROOT } from '../../../src/lib/models/published-files.ts';
import { tempRoot } from '../../support/harness.ts';
import { publishAsr } from '../../support/published.ts';
import { runPython, torchProblem } from '../../support/torch.ts';

const problem = torchProblem();
if (problem) console.warn(`published-torch: skipped: ${problem}`);

/** Runs the file through hw2_torch.load_published: logits for (audio, tokens) and the greedy tokens. */
const PYTHON_SIDE = `
import numpy as np
import torch
from hw2_torch import load_published
model, info = load_published(sys.argv[1])
audio = torch.from_numpy(np.load(sys.argv[2]))
tokens = torch.from_numpy(np.load(sys.argv[3])).long()
with torch.no_grad():
    np.save(sys.argv[4], model(audio, tokens).numpy().astype('<f4'))
    np.save(sys.argv[5], model.greedy(audio).numpy().astype('<i4'))
`;

let dir: string;
let root: string;

beforeAll(async () => {
  await initBackend({ requested: 'cpu', log: () => {} });
  dir = await mkdtemp(join(tmpdir(), 'published-torch-'));
  root = await tempRoot('published-torch');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(root, { recursive: true, force: true });
});

/** Compares our logits and greedy tokens with PyTorch's for one published file. */
async function compare(path: string, options: { greedy: boolean }): Promise<number> {
  const { info, model } = await loadPublishedAsr(path);
  const { nMels, textLength } = info.config;
  const vocab = VOCAB_SIZE;
  const frames = info.features.frames;
  const batch = 2;
  const length = textLength - 1;
  // A fixed input: smooth log-mel-like values in about [-1, 1.5], and token ids starting with the start token.
  const audio = Float32Array.from({ length: batch * nMels * frames }, (_, i) => 0.25 + 1.2 * Math.sin(i * 0.013) * Math.cos(i * 0.0007 + (i % nMels) * 0.1));
  const tokens = Int32Array.from({ length: batch * length }, (_, i) => (i % length === 0 ? 0 : (i * 7 + Math.floor(i / length) * 3) % vocab));
  const files = ['audio', 'tokens', 'logits', 'greedy'].map((name) => join(dir, `${name}.npy`));
  await writeFile(files[0], encodeNpy({ dtype: 'float32', shape: [batch, nMels, frames], data: audio }));
  await writeFile(files[1], encodeNpy({ dtype: 'int32', shape: [batch, length], data: tokens }));
  await runPython(PYTHON_SIDE, [path, ...files]);
  const torchLogits = parseNpy(new Uint8Array(await readFile(files[2])), files[2]);
  const torchGreedy = parseNpy(new Uint8Array(await readFile(files[3])), files[3]);

  const [logits, greedy] = tf.tidy(() => {
    const input = tf.tensor3d(audio, [batch, nMels, frames]);
    return [model.forward(input, tf.tensor2d(tokens, [batch, length], 'int32')), model.transcribe(input, 0)] as const;
  });
  expect(logits.dtype).toBe('float32');
  expect(torchLogits.shape).toEqual([batch, length, vocab]);
  expect(logits.shape).toEqual(torchLogits.shape);
  const ours = logits.dataSync();
  let worst = 0;
  torchLogits.data.forEach((value, i) => (worst = Math.max(worst, Math.abs(ours[i] - Number(value)))));
  if (options.greedy) expect(Array.from(greedy.dataSync())).toEqual(Array.from(torchGreedy.data as Int32Array));
  tf.dispose([logits, greedy]);
  model.dispose();
  return worst;
}

describe(problem ? `published Q3 weights in PyTorch (skipped: ${problem})` : 'published Q3 weights in PyTorch', () => {
  for (const decoder of ['attention', 'recurrent'] as const) {
    it.skipIf(problem !== null)(`a fresh ${decoder} model gives PyTorch's logits to 1e-4 and its greedy tokens`, async () => {
      const model = createAsrModel(
        { decoder, nMels: 80, frames: 64, hidden: 32, heads: 2, mlpHidden: 64, encoderBlocks: 2, textLength: 14, maxTimescale: 3000 },
        31,
      );
      // Doubled so the logits depend strongly on the input (they reach about 6 in size; the differences stay ~4e-6).
      for (const variable of model.namedParameters().values()) tf.tidy(() => variable.assign(tf.mul(variable, 2)));
      const { path } = await publishAsr(root, model, { frames: 64, seed: 31 });
      model.dispose();
      const worst = await compare(path, { greedy: true });
      expect(worst).toBeLessThan(1e-4);
    });
  }

  it.skipIf(problem !== null)("every committed Q3 file under models/ gives PyTorch's logits to 1e-4", async () => {
    let checked = 0;
    for (const { artifact } of await listedArtifacts(PROJECT_ROOT)) {
      const path = join(PROJECT_ROOT, artifact.file);
      if (!('decoder' in artifact.description) || !existsSync(path)) continue;
      expect(await compare(path, { greedy: false }), artifact.file).toBeLessThan(1e-4);
      checked++;
    }
    if (checked === 0) console.warn('published-torch: no committed Q3 files under models/ yet; only the fresh models were checked');
  });
});

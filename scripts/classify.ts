/**
 * `npm run classify -- IMAGE.png|IMAGE.npy [...]`: the class of each image by a published Question 2 network.
 *
 *   npm run classify -- [--model NAME|PATH.safetensors] [--json] IMAGE [IMAGE ...]
 *
 * Images are 28x28 grey like the training data; a PNG of any kind or a .npy holding one image is accepted, colour is
 * converted to grey and other sizes are resized, each with a warning on stderr (src/lib/inference/classify.ts).
 * --model takes a published model's name, `<experiment>/<profile>/<name>` (default DEFAULT_CNN_MODEL in
 * src/lib/models/published.ts), or the path of its weights in some checkout's models/<experiment>/<profile>/; the
 * weights are checked against the snapshot that lists them, which also gives the class names.
 *
 * Prints `IMAGE: class (probability)` and then every class's probability, or with --json one JSON object with the
 * model and a result or error per file. A file that cannot be classified is reported on stderr naming the file and
 * the problem; the others are still done. Exit status: 0 all classified, 1 some file failed, 2 bad arguments or an
 * unusable model.
 */
import { classifyImages, readImageFile } from '../src/lib/inference/classify.ts';
import { loadPublishedCnn } from '../src/lib/models/published-files.ts';
import { DEFAULT_CNN_MODEL } from '../src/lib/models/published.ts';
import { runModelCommand } from './model-command.ts';

interface FileResult {
  file: string;
  prediction: { index: number; name: string; probability: number };
  probabilities: number[];
  logProbabilities: number[];
  size: { width: number; height: number };
  warnings: string[];
}

await runModelCommand({
  name: 'classify',
  usage: 'usage: npm run classify -- [--model NAME|PATH.safetensors] [--json] IMAGE.png|IMAGE.npy [...]',
  defaultModel: DEFAULT_CNN_MODEL,
  files: 'images',
  load: loadPublishedCnn,
  async run({ model, info }, file): Promise<FileResult> {
    const image = await readImageFile(file);
    for (const warning of image.warnings) process.stderr.write(`classify: ${file}: warning: ${warning}\n`);
    const [logProbabilities] = classifyImages(model, [image.pixels]);
    const logs = Array.from(logProbabilities);
    const probabilities = logs.map((value) => Math.exp(value));
    const index = logs.indexOf(Math.max(...logs));
    return {
      file,
      prediction: { index, name: info.classNames[index], probability: probabilities[index] },
      probabilities,
      logProbabilities: logs,
      size: { width: image.width, height: image.height },
      warnings: image.warnings,
    };
  },
  print(result, { info }) {
    const width = Math.max(...info.classNames.map((name) => name.length));
    return [
      `${result.file}: ${result.prediction.name} (${result.prediction.probability.toFixed(3)})`,
      ...info.classNames.map((name, i) => `  ${name.padEnd(width)}  ${result.probabilities[i].toFixed(3)}`),
    ];
  },
  describe({ info, location }) {
    const { config, classNames, seed, source } = info;
    return { name: location.name, path: location.path, snapshot: location.snapshotFile, sha256: source.sha256, config, classNames, seed, source };
  },
});

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
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/lib/backend/backend.ts';
import { classifyImages, readImageFile } from '../src/lib/inference/classify.ts';
import { listPublishedModels, loadPublishedCnn } from '../src/lib/models/published-files.ts';
import { DEFAULT_CNN_MODEL } from '../src/lib/models/published.ts';

const USAGE = 'usage: npm run classify -- [--model NAME|PATH.safetensors] [--json] IMAGE.png|IMAGE.npy [...]';

/** A mistake on the command line or an unusable model: one line on stderr, exit 2. */
class UsageError extends Error {}

interface Options {
  files: string[];
  json: boolean;
  model: string;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { files: [], json: false, model: DEFAULT_CNN_MODEL };
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    if (argument === '--json') options.json = true;
    else if (argument === '--model') {
      const value = argv[++i];
      if (!value) throw new UsageError('classify: --model needs a model name or a .safetensors path');
      options.model = value;
    } else if (argument === '--help' || argument === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (argument.startsWith('--')) throw new UsageError(`classify: unknown option '${argument}'\n${USAGE}`);
    else options.files.push(argument);
  }
  if (options.files.length === 0) throw new UsageError(`classify: no images given\n${USAGE}`);
  return options;
}

interface FileResult {
  file: string;
  prediction: { index: number; name: string; probability: number };
  probabilities: number[];
  logProbabilities: number[];
  size: { width: number; height: number };
  warnings: string[];
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  // PROD only silences tfjs's console advice ("install our node backend"); it changes no computation.
  tf.env().set('PROD', true);
  await initBackend({ log: (line) => process.stderr.write(`${line}\n`) });
  let loaded: Awaited<ReturnType<typeof loadPublishedCnn>>;
  try {
    loaded = await loadPublishedCnn(options.model);
  } catch (error) {
    const available = await listPublishedModels().catch(() => []);
    throw new UsageError(`classify: ${(error as Error).message}\n(published models here: ${available.length ? available.join(', ') : 'none yet'})`);
  }
  const { info, model, location } = loaded;
  const { classNames } = info;
  const results: (FileResult | { file: string; error: string })[] = [];
  let failures = 0;
  for (const file of options.files) {
    try {
      const image = await readImageFile(file);
      for (const warning of image.warnings) process.stderr.write(`classify: ${file}: warning: ${warning}\n`);
      const [logProbabilities] = classifyImages(model, [image.pixels]);
      const logs = Array.from(logProbabilities);
      const probabilities = logs.map((value) => Math.exp(value));
      const index = logs.indexOf(Math.max(...logs));
      const result: FileResult = {
        file,
        prediction: { index, name: classNames[index], probability: probabilities[index] },
        probabilities,
        logProbabilities: logs,
        size: { width: image.width, height: image.height },
        warnings: image.warnings,
      };
      results.push(result);
      if (!options.json) {
        console.log(`${file}: ${result.prediction.name} (${result.prediction.probability.toFixed(3)})`);
        const width = Math.max(...classNames.map((name) => name.length));
        classNames.forEach((name, i) => console.log(`  ${name.padEnd(width)}  ${probabilities[i].toFixed(3)}`));
      }
    } catch (error) {
      failures++;
      const message = (error as Error).message;
      results.push({ file, error: message });
      process.stderr.write(`classify: ${message}\n`);
    }
  }
  model.dispose();
  if (options.json) {
    const { config, seed, source } = info;
    console.log(
      JSON.stringify(
        {
          model: { name: location.name, path: location.path, snapshot: location.snapshotFile, sha256: source.sha256, config, classNames, seed, source },
          results,
        },
        null,
        1,
      ),
    );
  }
  return failures ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(error instanceof UsageError ? `${error.message}\n` : `classify: ${(error as Error).stack ?? error}\n`);
    process.exitCode = 2;
  },
);

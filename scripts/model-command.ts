/**
 * What `npm run transcribe` and `npm run classify` share: their options (`--model`, `--json`, `--help`, files), loading
 * a published model (an unusable one is a usage error that lists the models at hand, and names any snapshot that
 * cannot be read), one result or error per file (a failing file is reported on stderr and the others still run),
 * the `--json` document, and the exit status: 0 every file done, 1 some file failed, 2 bad arguments or an unusable
 * model. Any other failure is one line too (scripts/cli.ts), the stack only with HW2_DEBUG=1.
 */
import { initBackend } from '../src/lib/backend/backend.ts';
import { locateModel, PROJECT_ROOT, publishedModelsNote } from '../src/lib/models/published-files.ts';
import { runScript, UsageError } from './cli.ts';

export interface ModelCommand<Loaded extends { model: { dispose(): void } }, Result> {
  /** The command's name, prefixed to its messages. */
  name: string;
  usage: string;
  defaultModel: string;
  /** What the files are, for the error when none are given: `WAV files`, `images`. */
  files: string;
  load(model: string): Promise<Loaded>;
  /** One file's result; throws with a message naming the file and the problem. */
  run(loaded: Loaded, file: string): Promise<Result> | Result;
  /** Human-readable lines for one result. */
  print(result: Result, loaded: Loaded): string[];
  /** The `model` object of the --json document. */
  describe(loaded: Loaded): Record<string, unknown>;
}

interface Options {
  files: string[];
  json: boolean;
  model: string;
}

function parseOptions<Loaded extends { model: { dispose(): void } }, Result>(command: ModelCommand<Loaded, Result>, argv: string[]): Options {
  const options: Options = { files: [], json: false, model: command.defaultModel };
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    if (argument === '--json') options.json = true;
    else if (argument === '--model') {
      const value = argv[++i];
      if (!value) throw new UsageError(`${command.name}: --model needs a model name or a .safetensors path`);
      options.model = value;
    } else if (argument === '--help' || argument === '-h') {
      console.log(command.usage);
      process.exit(0);
    } else if (argument.startsWith('--')) throw new UsageError(`${command.name}: unknown option '${argument}'\n${command.usage}`);
    else options.files.push(argument);
  }
  if (options.files.length === 0) throw new UsageError(`${command.name}: no ${command.files} given\n${command.usage}`);
  return options;
}

async function main<Loaded extends { model: { dispose(): void } }, Result>(command: ModelCommand<Loaded, Result>): Promise<number> {
  const options = parseOptions(command, process.argv.slice(2));
  await initBackend({ log: (line) => process.stderr.write(`${line}\n`) });
  let loaded: Loaded;
  try {
    loaded = await command.load(options.model);
  } catch (error) {
    throw new UsageError(`${command.name}: ${(error as Error).message}\n(${await publishedModelsNote(modelsRoot(options.model))})`);
  }
  const results: (Result | { file: string; error: string })[] = [];
  let failures = 0;
  for (const file of options.files) {
    try {
      const result = await command.run(loaded, file);
      results.push(result);
      if (!options.json) for (const line of command.print(result, loaded)) console.log(line);
    } catch (error) {
      failures++;
      const message = (error as Error).message;
      results.push({ file, error: message });
      process.stderr.write(`${command.name}: ${message}\n`);
    }
  }
  loaded.model.dispose();
  if (options.json) console.log(JSON.stringify({ model: command.describe(loaded), results }, null, 1));
  return failures ? 1 : 0;
}

/** The checkout whose models to list: the one a `--model` path points into, else this one. */
function modelsRoot(model: string): string {
  try {
    return locateModel(model).root;
  } catch {
    return PROJECT_ROOT;
  }
}

/** Runs the command on the process's arguments and sets the exit status. */
export function runModelCommand<Loaded extends { model: { dispose(): void } }, Result>(command: ModelCommand<Loaded, Result>): Promise<void> {
  return runScript(command.name, () => main(command));
}

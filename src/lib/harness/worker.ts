/**
 * A worker process: runs parts of an experiment, one at a time as the pool hands them over, and writes each part's
 * result file, reporting logs and progress to the parent over IPC (see workers.ts). Started by the pool, never by
 * hand. The experiment, the backend and the data of the last config stay loaded between parts, as they do when the
 * parts run in the parent (one worker): a part's numbers never depend on which process ran it.
 */
import { join } from 'node:path';
import { initBackend } from '../backend/backend.ts';
import { stableStringify } from '../provenance/hash.ts';
import type { ExperimentDefinition } from './experiment.ts';
import { runPart } from './parts.ts';
import type { ParentToWorker, WorkerJob, WorkerMessage } from './workers.ts';
import { reportingProgress } from './workers.ts';

const send = (message: WorkerMessage) => process.send?.(message);
const now = () => performance.now();

process.on('message', (message: ParentToWorker) => {
  if (message.type === 'exit') process.exit(0);
  run(message.job).then(
    () => send({ type: 'done' }),
    (error: Error) => {
      send({ type: 'failed', message: error.message });
      process.stderr.write(`${error.stack ?? error.message}\n`);
      process.exit(1);
    },
  );
});

/** The data of the last job's experiment and config, kept for the next job that shares them. */
let loaded: { key: string; data: unknown } | undefined;

async function run(job: WorkerJob): Promise<void> {
  const module = (await import(job.module)) as Record<string, unknown>;
  const definition = Object.values(module).find((value): value is ExperimentDefinition => (value as ExperimentDefinition | undefined)?.id === job.experiment);
  if (!definition) throw new Error(`worker: ${job.module} exports no experiment '${job.experiment}'`);
  const log = (line: string) => send({ type: 'log', line });
  const backend = await initBackend({ log: () => {} });
  const config = job.config as Record<string, unknown>;
  const effects = {
    log,
    now,
    progress: reportingProgress(send, now),
    cacheDir: join(job.root, '.cache', 'data'),
    checkpointDir: job.folder,
    backend,
  };
  const key = stableStringify({ module: job.module, experiment: job.experiment, root: job.root, config });
  if (loaded?.key !== key) {
    loaded = undefined; // the old data go before the new load: two data sets need not fit in memory at once
    loaded = { key, data: (await definition.data(config, effects)).data };
  }
  await runPart(definition, { ...config, seed: job.seed }, loaded.data, job.part, effects);
}

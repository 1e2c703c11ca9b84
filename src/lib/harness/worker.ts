/**
 * A worker process: runs one part of one seed of an experiment and writes its result file, reporting logs and
 * progress to the parent over IPC (see workers.ts). Started by the pool, never by hand.
 */
import { join } from 'node:path';
import { initBackend } from '../backend/backend.ts';
import type { ExperimentDefinition } from './experiment.ts';
import { runPart } from './parts.ts';
import type { WorkerJob, WorkerMessage } from './workers.ts';
import { reportingProgress } from './workers.ts';

const send = (message: WorkerMessage) => process.send?.(message);
const now = () => performance.now();

process.once('message', (message: { type: 'job'; job: WorkerJob }) => {
  run(message.job).then(
    () => process.exit(0),
    (error: Error) => {
      send({ type: 'failed', message: error.message });
      process.stderr.write(`${error.stack ?? error.message}\n`);
      process.exit(1);
    },
  );
});

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
  const { data } = await definition.data(config, effects);
  await runPart(definition, { ...config, seed: job.seed }, data, job.part, effects);
}

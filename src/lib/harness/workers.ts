/**
 * Independent pieces of work (one part of one seed of a run) on up to `workers` processes at once.
 *
 * With one worker, jobs run one after another in this process. With more, each worker is a child process
 * (`worker.ts`) that loads the experiment, the backend and the data once and then runs the jobs its lane takes,
 * one after another, as this process does with one worker; each writes its part's result file. Results do not
 * depend on the worker count, only the wall time does (a process started per job cost ~4 s of a core each).
 * Progress shows one line per worker. The first job that fails stops the others (their checkpoints keep
 * what they finished) and the error names it.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Progress } from '../effects.ts';

export interface Job {
  /** Shown in progress and errors, e.g. `seed 2 · strided-lr0.01`. */
  name: string;
  /** What the worker process needs to run it (see worker.ts). */
  message: WorkerJob;
}

export interface WorkerJob {
  module: string;
  experiment: string;
  /** The run's config, resolved by the parent: a worker never resolves a profile itself. */
  config: unknown;
  seed: number;
  part: string;
  /** The part's folder: its checkpoints and its `result.json`. */
  folder: string;
  root: string;
}

/** Messages to a worker process: a job to run, or the end of its lane. */
export type ParentToWorker = { type: 'job'; job: WorkerJob } | { type: 'exit' };

/** Messages from a worker process. */
export type WorkerMessage =
  | { type: 'done' }
  | { type: 'log'; line: string }
  | { type: 'progress'; label: string; total: number; done: number; status?: string; finished?: boolean }
  | { type: 'failed'; message: string };

export interface PoolOptions {
  workers: number;
  /** Runs a job in this process (one worker). */
  inProcess: (job: Job) => Promise<void>;
  log: (line: string) => void;
  /** Redraws the worker lines in place (a terminal) or prints a status line per worker every `interval` ms. */
  board: Board;
}

export async function runJobs(jobs: Job[], options: PoolOptions): Promise<void> {
  if (options.workers <= 1 || jobs.length <= 1) {
    for (const job of jobs) {
      try {
        await options.inProcess(job);
      } catch (error) {
        // Named as a worker process's failure is, so the message says which seed and part failed.
        throw new Error(`${job.name} failed: ${(error as Error).message}`, { cause: error });
      }
    }
    return;
  }
  const queue = [...jobs];
  const running = new Set<ChildProcess>();
  let failure: Error | undefined;
  const lane = async (slot: number): Promise<void> => {
    let worker: Worker | undefined;
    try {
      for (let job = queue.shift(); job && !failure; job = queue.shift()) {
        worker ??= startWorker(job.message.root, running);
        await worker.run(job, slot, options);
      }
    } catch (error) {
      if (!failure) {
        failure = error as Error;
        for (const child of running) child.kill('SIGTERM');
      }
    } finally {
      await worker?.close();
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.workers, jobs.length) }, (_, slot) => lane(slot)));
  options.board.close();
  if (failure) throw failure;
}

const workerEntry = fileURLToPath(new URL('./worker.ts', import.meta.url));
// By absolute URL: `--import tsx` alone resolves from the child's cwd (the run's root), which need not hold node_modules.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** A worker process of one lane: runs the lane's jobs one at a time until it is closed or a job fails. */
interface Worker {
  run(job: Job, slot: number, options: PoolOptions): Promise<void>;
  close(): Promise<void>;
}

function startWorker(root: string, running: Set<ChildProcess>): Worker {
  const child = fork(workerEntry, [], { execArgv: ['--import', tsxLoader], cwd: root, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  running.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  let startError: string | undefined;
  child.on('error', (error) => (startError ??= error.message));
  return {
    async run(job, slot, options) {
      let failed: string | undefined;
      let listener: (message: WorkerMessage) => void = () => {};
      const done = new Promise<null>((resolve) => {
        listener = (message) => {
          if (message.type === 'done') resolve(null);
          else if (message.type === 'log') options.log(`${job.name}: ${message.line}`);
          else if (message.type === 'progress') options.board.update(slot, message);
          else failed = message.message;
        };
      });
      options.board.start(slot, job.name);
      child.on('message', listener);
      child.send({ type: 'job', job: job.message } satisfies ParentToWorker);
      const outcome = await Promise.race([done, exited]);
      child.off('message', listener);
      options.board.finish(slot, job.name, outcome === null);
      if (outcome === null) return;
      failed ??= startError;
      throw new Error(`${job.name} failed${failed ? `: ${failed}` : outcome.signal ? ` (stopped by ${outcome.signal})` : ` (exit code ${outcome.code})`}`);
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null && child.connected) child.send({ type: 'exit' } satisfies ParentToWorker);
      await exited;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Progress: a line per worker

export interface Board {
  start(slot: number, name: string): void;
  update(slot: number, progress: Extract<WorkerMessage, { type: 'progress' }>): void;
  finish(slot: number, name: string, ok: boolean): void;
  close(): void;
}

interface Lane {
  name: string;
  label: string;
  done: number;
  total: number;
  status: string;
  /** When the current task started and its ETA from the rate so far. */
  started: number;
}

/**
 * On a terminal the lines are redrawn in place; elsewhere (CI, `nohup` logs) each busy worker's line is printed
 * every `interval` milliseconds, so a log shows where every run is without flooding.
 */
export function createBoard(options: { write: (text: string) => void; interactive: boolean; now: () => number; interval?: number }): Board {
  const lanes: (Lane | undefined)[] = [];
  const interval = options.interval ?? (options.interactive ? 250 : 60_000);
  let drawn = 0;
  let lastDraw = -Infinity;
  const line = (slot: number, lane: Lane) => {
    const elapsed = (options.now() - lane.started) / 1000;
    const eta = lane.done > 0 && lane.total > lane.done ? ` ETA ${duration((elapsed / lane.done) * (lane.total - lane.done))}` : '';
    return `[worker ${slot + 1}] ${lane.name} · ${lane.label} ${lane.done}/${lane.total}${eta}${lane.status ? ` ${lane.status}` : ''}`;
  };
  const draw = (force = false) => {
    if (!force && options.now() - lastDraw < interval) return;
    lastDraw = options.now();
    const lines = lanes.flatMap((lane, slot) => (lane ? [line(slot, lane)] : []));
    if (options.interactive) {
      options.write(`${drawn ? `\x1b[${drawn}A` : ''}${lines.map((text) => `\r\x1b[2K${text}\n`).join('')}`);
      drawn = lines.length;
    } else {
      for (const text of lines) options.write(`${text}\n`);
    }
  };
  const clear = () => {
    if (options.interactive && drawn) options.write(`\x1b[${drawn}A${'\r\x1b[2K\n'.repeat(drawn)}\x1b[${drawn}A`);
    drawn = 0;
  };
  return {
    start(slot, name) {
      lanes[slot] = { name, label: 'starting', done: 0, total: 0, status: '', started: options.now() };
      draw();
    },
    update(slot, progress) {
      const lane = lanes[slot];
      if (!lane) return;
      if (progress.label !== lane.label) Object.assign(lane, { label: progress.label, started: options.now() });
      Object.assign(lane, { done: progress.done, total: progress.total, status: progress.status ?? lane.status });
      draw();
    },
    finish(slot, name, ok) {
      clear();
      options.write(`[worker ${slot + 1}] ${name}: ${ok ? 'finished' : 'failed'}\n`);
      lanes[slot] = undefined;
      draw(true);
    },
    close() {
      clear();
    },
  };
}

/** A Progress that reports to the parent process, as worker.ts hands to a run. */
export function reportingProgress(send: (message: WorkerMessage) => void, now: () => number, interval = 500) {
  return (label: string, total: number): Progress => {
    let done = 0;
    let status: string | undefined;
    let last = -Infinity;
    return {
      tick(steps = 1, text) {
        done += steps;
        if (text !== undefined) status = text;
        if (now() - last >= interval) {
          last = now();
          send({ type: 'progress', label, total, done, status });
        }
      },
      done(text) {
        send({ type: 'progress', label, total, done, status: text ?? status, finished: true });
      },
    };
  };
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

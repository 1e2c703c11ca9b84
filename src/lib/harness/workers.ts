/**
 * Independent pieces of work (one part of one seed of a run) on up to `workers` processes at once.
 *
 * With one worker, jobs run one after another in this process. With more, each job runs in a child process
 * of its own (`worker.ts`), which loads the experiment, its data and the backend afresh, runs its part and
 * writes the part's result file; results do not depend on the worker count, only the wall time does.
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

/** Messages from a worker process. */
export type WorkerMessage =
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
    for (let job = queue.shift(); job && !failure; job = queue.shift()) {
      try {
        await runChild(job, slot, running, options);
      } catch (error) {
        if (!failure) {
          failure = error as Error;
          for (const child of running) child.kill('SIGTERM');
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.workers, jobs.length) }, (_, slot) => lane(slot)));
  options.board.close();
  if (failure) throw failure;
}

const workerEntry = fileURLToPath(new URL('./worker.ts', import.meta.url));
// By absolute URL: `--import tsx` alone resolves from the child's cwd (the run's root), which need not hold node_modules.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

function runChild(job: Job, slot: number, running: Set<ChildProcess>, options: PoolOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = fork(workerEntry, [], { execArgv: ['--import', tsxLoader], cwd: job.message.root, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    running.add(child);
    let failed: string | undefined;
    options.board.start(slot, job.name);
    child.on('message', (message: WorkerMessage) => {
      if (message.type === 'log') options.log(`${job.name}: ${message.line}`);
      else if (message.type === 'progress') options.board.update(slot, message);
      else if (message.type === 'failed') failed = message.message;
    });
    child.on('error', (error) => (failed ??= error.message));
    child.on('exit', (code, signal) => {
      running.delete(child);
      options.board.finish(slot, job.name, code === 0);
      if (code === 0) resolve();
      else reject(new Error(`${job.name} failed${failed ? `: ${failed}` : signal ? ` (stopped by ${signal})` : ` (exit code ${code})`}`));
    });
    child.send({ type: 'job', job: job.message });
  });
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

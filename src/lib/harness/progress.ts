/**
 * Progress for long work. On a terminal: one redrawn line per task with a bar, ETA and status. Elsewhere
 * (CI, logs, tests): only a line when a task finishes, so logs stay short.
 */
import type { Progress } from '../effects.ts';

export interface ProgressOptions {
  write: (text: string) => void;
  interactive: boolean;
  now: () => number;
  /** Minimum milliseconds between redraws. */
  interval?: number;
}

export function createProgress({ write, interactive, now, interval = 200 }: ProgressOptions) {
  return (label: string, total: number): Progress => {
    const started = now();
    let done = 0;
    let lastDraw = -Infinity;
    let status = '';
    const draw = (final: boolean) => {
      const elapsed = (now() - started) / 1000;
      if (!interactive) {
        if (final) write(`${label}: ${done}/${total} in ${duration(elapsed)}${status ? `, ${status}` : ''}\n`);
        return;
      }
      const fraction = total > 0 ? Math.min(1, done / total) : 1;
      const width = 24;
      const bar = '#'.repeat(Math.round(fraction * width)).padEnd(width, '.');
      const eta = final ? `in ${duration(elapsed)}` : done > 0 ? `ETA ${duration((elapsed / done) * (total - done))}` : 'ETA ?';
      write(`\r\x1b[2K${label} [${bar}] ${done}/${total} ${eta}${status ? ` ${status}` : ''}${final ? '\n' : ''}`);
    };
    return {
      tick(steps = 1, text) {
        done += steps;
        if (text !== undefined) status = text;
        if (interactive && now() - lastDraw >= interval) {
          lastDraw = now();
          draw(false);
        }
      },
      done(text) {
        if (text !== undefined) status = text;
        draw(true);
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

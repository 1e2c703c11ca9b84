/**
 * The side effects a long run is handed (logging, progress, a clock, the data cache), so library code never
 * writes to the terminal or reads the time itself: runs in tests are silent, and results never depend on a clock.
 */
export interface Progress {
  /** Advance by `steps` (default 1); `status` is a short text such as `loss 0.412`. */
  tick(steps?: number, status?: string): void;
  done(status?: string): void;
}

export interface Effects {
  log(line: string): void;
  progress(label: string, total: number): Progress;
  /** Milliseconds, for timings only; never feeds a result that must be deterministic. */
  now(): number;
  /** A folder for generated data and caches shared by every run of the project (corpora, features). */
  cacheDir: string;
}

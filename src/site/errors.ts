/**
 * The error a build stops with when the data a page quotes is missing or wrong: a snapshot, a key, a row, a
 * column or a recorded source. Its message names the snapshot file and what to fix, because it ends up in a
 * failed `astro build`.
 */
export class SiteDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SiteDataError';
  }
}

/**
 * The chart spec files, bundled at build time by Vite (import.meta.glob), looked up by name:
 * `q1-cost` -> src/charts/q1-cost.vl.json.
 */
import type { TopLevelSpec } from 'vega-lite';
import { ChartError, parseSpec } from './vega.ts';

const files = import.meta.glob<string>('../charts/*.vl.json', { query: '?raw', import: 'default', eager: true });

export interface SpecFile {
  file: string;
  spec: TopLevelSpec;
}

export function specNames(): string[] {
  return Object.keys(files)
    .map((path) => path.replace(/^.*\/(.+)\.vl\.json$/, '$1'))
    .sort();
}

export function loadSpec(name: string): SpecFile {
  const file = `src/charts/${name}.vl.json`;
  const text = files[`../charts/${name}.vl.json`];
  if (text === undefined) throw new ChartError(`${file}: no such chart spec (specs: ${specNames().join(', ') || 'none'})`);
  return { file, spec: parseSpec(text, file) };
}

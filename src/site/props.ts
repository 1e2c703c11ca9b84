/**
 * Component props checked with zod. A typo in MDX (`digts={2}`, `style="percnt"`) fails the build with the
 * component, the prop and the value it got, instead of rendering something quietly wrong.
 *
 * Most components quote one snapshot and share one skeleton: parse the props, load the snapshot they name, render
 * what it holds (then the template adds `<FreshnessMark>`). `quoteSnapshot` is that skeleton, written once.
 */
import { z } from 'zod';
import type { Snapshot } from '../lib/snapshot-schema.ts';
import { defaultProfile } from './settings.ts';
import { loadSnapshot } from './snapshots.ts';
import type { LoadedSnapshot } from './snapshots.ts';

export class PropsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PropsError';
  }
}

export function parseProps<Schema extends z.ZodTypeAny>(component: string, schema: Schema, props: unknown): z.output<Schema> {
  const parsed = schema.safeParse(props);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const prop = issue.path.length > 0 ? `prop "${issue.path.join('.')}"` : 'props';
    if (issue.code === 'unrecognized_keys') return `unknown prop${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
    return `${prop}: ${issue.message} (got ${show(valueAt(props, issue.path))})`;
  });
  throw new PropsError(`<${component}> ${show(props)}: ${problems.join('; ')}`);
}

/** The snapshot a component quotes: `experiment`, and `profile` (default: the full run). */
export const snapshotRefSchema = z.object({
  experiment: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be an experiment id such as q1-linear-attention'),
  profile: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a profile name such as smoke or full')
    .default(defaultProfile),
});

type SnapshotRef = z.output<typeof snapshotRefSchema>;

/** What a component that quotes a snapshot has to show: its checked props, the snapshot, and what `render` made of it. */
export interface Quoted<Props, Rendered> {
  props: Props;
  loaded: LoadedSnapshot;
  rendered: Rendered;
}

/**
 * `<Name {...raw}>` checked against `schema`, its snapshot loaded, then `render(snapshot, file, props)`:
 * `const { loaded, rendered } = await quoteSnapshot('Metric', metricPropsSchema, Astro.props, renderMetric);`.
 */
export async function quoteSnapshot<Schema extends z.ZodType<SnapshotRef, z.ZodTypeDef, unknown>, Rendered>(
  component: string,
  schema: Schema,
  raw: unknown,
  render: (snapshot: Snapshot, file: string, props: z.output<Schema>, loaded: LoadedSnapshot) => Rendered | Promise<Rendered>,
): Promise<Quoted<z.output<Schema>, Rendered>> {
  const props = parseProps(component, schema, raw);
  const loaded = await loadSnapshot(props.experiment, props.profile);
  return { props, loaded, rendered: await render(loaded.snapshot, loaded.file, props, loaded) };
}

function valueAt(value: unknown, path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  try {
    const text = JSON.stringify(value);
    return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return String(value);
  }
}

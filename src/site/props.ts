/**
 * Component props checked with zod. A typo in MDX (`digts={2}`, `style="percnt"`) fails the build with the
 * component, the prop and the value it got, instead of rendering something quietly wrong.
 */
import type { z } from 'zod';

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

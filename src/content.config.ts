/**
 * The site's two collections: the snapshots the experiments wrote (validated by the one schema the harness
 * writes with) and the chapters of the write-up (MDX in the top-level `content/` folder).
 */
import { defineCollection, z } from 'astro:content';
import { glob } from 'astro/loaders';
import { snapshotSchema } from './lib/snapshot-schema.ts';
import { chaptersDir, snapshotsDir } from './site/settings.ts';

const snapshots = defineCollection({
  loader: glob({
    base: snapshotsDir(),
    pattern: '*/*.json',
    // `q1-linear-attention/full.json` -> `q1-linear-attention/full`, verbatim (the default id would slugify it).
    generateId: ({ entry }) => entry.replace(/\.json$/, ''),
  }),
  schema: snapshotSchema,
});

const chapters = defineCollection({
  loader: glob({ base: chaptersDir(), pattern: '*.mdx' }),
  schema: z
    .object({
      title: z.string(),
      /** One sentence for the front page. */
      description: z.string(),
      /** Position in the report and the nav. */
      order: z.number().int(),
      /** Short name for the nav, e.g. `Q1`. */
      short: z.string(),
    })
    .strict(),
});

export const collections = { snapshots, chapters };

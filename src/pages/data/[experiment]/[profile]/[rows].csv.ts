/**
 * The rows of every curve and table of every snapshot as CSV: `/data/<experiment>/<profile>/<key path>.csv`, and
 * every seed's rows of each curve, tagged with the seed, as `seeds.perSeed.curves.<name>.csv`.
 */
import type { APIRoute, GetStaticPaths } from 'astro';
import { rowKeyPaths, rowsFileName, toCsv } from '../../../../site/downloads.ts';
import { loadAllSnapshots, lookupRows } from '../../../../site/snapshots.ts';

export const getStaticPaths = (async () => {
  const snapshots = await loadAllSnapshots();
  return snapshots.flatMap((loaded) =>
    rowKeyPaths(loaded.snapshot).map((keyPath) => ({
      params: { experiment: loaded.snapshot.experiment, profile: loaded.snapshot.profile, rows: rowsFileName(keyPath) },
      props: { csv: toCsv(lookupRows(loaded.snapshot, keyPath, loaded.file)) },
    })),
  );
}) satisfies GetStaticPaths;

export const GET: APIRoute = ({ props }) => new Response((props as { csv: string }).csv, { headers: { 'Content-Type': 'text/csv; charset=utf-8' } });

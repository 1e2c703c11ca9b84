/** Every snapshot, published as it is committed: `/data/<experiment>/<profile>.json`. */
import { readFile } from 'node:fs/promises';
import type { APIRoute, GetStaticPaths } from 'astro';
import { loadAllSnapshots } from '../../../site/snapshots.ts';

export const getStaticPaths = (async () => {
  const snapshots = await loadAllSnapshots();
  return snapshots.map((loaded) => ({ params: { experiment: loaded.snapshot.experiment, profile: loaded.snapshot.profile }, props: { file: loaded.file } }));
}) satisfies GetStaticPaths;

export const GET: APIRoute = async ({ props }) => {
  // The file's own bytes, so the download hashes the same as the committed snapshot.
  const text = await readFile((props as { file: string }).file, 'utf8');
  return new Response(text, { headers: { 'Content-Type': 'application/json; charset=utf-8' } });
};

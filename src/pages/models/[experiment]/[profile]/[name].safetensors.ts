/**
 * Every published model the checkout holds, served as committed: `/models/<experiment>/<profile>/<name>.safetensors`
 * (the "try it" sections load them from here; readers may download them). See src/site/served-models.ts.
 */
import type { APIRoute, GetStaticPaths } from 'astro';
import { servedBytes, servedModels } from '../../../../site/served-models.ts';
import type { ServedModel } from '../../../../site/served-models.ts';

export const getStaticPaths = (async () => {
  return (await servedModels()).map((model) => ({ params: { experiment: model.parts[0], profile: model.parts[1], name: model.parts[2] }, props: { model } }));
}) satisfies GetStaticPaths;

export const GET: APIRoute = async ({ props }) => {
  const bytes = await servedBytes((props as { model: ServedModel }).model);
  return new Response(bytes.slice(), { headers: { 'Content-Type': 'application/octet-stream' } });
};

/**
 * The recordings beside every Question 3 run's sample transcripts: `/audio/<experiment>/<profile>/sample-<i>.wav`,
 * synthetic clips re-spoken at build time, real ones as committed and checked (src/site/sample-audio.ts). The
 * transcript tables and the "try it" sections play them from here.
 */
import type { APIRoute, GetStaticPaths } from 'astro';
import { servedSampleAudio } from '../../../../site/sample-audio.ts';
import type { SampleAudio } from '../../../../site/sample-audio.ts';

export const getStaticPaths = (async () => {
  return (await servedSampleAudio()).map((clip) => ({
    params: { experiment: clip.experiment, profile: clip.profile, clip: `sample-${clip.index}` },
    props: { clip },
  }));
}) satisfies GetStaticPaths;

export const GET: APIRoute = ({ props }) => {
  return new Response((props as { clip: SampleAudio }).clip.wav.slice(), { headers: { 'Content-Type': 'audio/wav' } });
};

/**
 * Browser side of <TryIt>: each section on the page gets the demo the build wrote into it (try-demo.ts) and is wired
 * for its kind, speech (try-asr.ts) or images (try-cnn.ts). Everything it fetches comes from the site itself.
 */
import { wireAsr } from './try-asr.ts';
import { wireCnn } from './try-cnn.ts';
import type { Demo } from './try-demo.ts';

export function setUpTryIt(root: ParentNode = document): void {
  for (const section of Array.from(root.querySelectorAll<HTMLElement>('[data-try-it]'))) {
    if (section.dataset.ready) continue;
    section.dataset.ready = 'true';
    const configText = section.querySelector('script[data-try-config]')?.textContent;
    if (!configText) continue;
    const demo = JSON.parse(configText) as Demo;
    if (demo.kind === 'asr') wireAsr(section, demo);
    else wireCnn(section, demo);
  }
}

/**
 * Browser side of a speech <TryIt>: wires the section's buttons, file input and drop zone. The engine (tfjs, the
 * model, the audio pipeline: try-asr-model.ts) is imported only when the reader first asks for a transcript.
 */
import type { AsrDemo } from './try-demo.ts';
import { chosenModel, describeModel, LazyModule, oneAtATime } from './try-section.ts';

const engine = new LazyModule(() => import('./try-asr-model.ts'));

export function wireAsr(section: HTMLElement, demo: AsrDemo): void {
  const status = section.querySelector<HTMLElement>('[data-try-status]')!;
  const oneRequest = oneAtATime(section);

  /** `output` shows the transcript, and under it the clip's target when it is known (a sample clip). */
  const run = (bytes: () => Promise<Uint8Array>, name: string, output: HTMLElement, target?: string): Promise<void> =>
    oneRequest(async () => {
      const model = chosenModel(section, demo.models);
      output.textContent = '…';
      output.removeAttribute('data-text');
      try {
        if (!engine.requested) status.textContent = `Loading the model (${Math.round(model.bytes / 1024)} kB of weights) and TensorFlow.js…`;
        const [{ transcribeWav, loadModel }, audio] = await Promise.all([engine.get(), bytes()]);
        await loadModel(model.url, model.info);
        status.textContent = `Transcribing ${name}…`;
        // Let the status paint before the main thread is busy computing.
        await new Promise((resolve) => setTimeout(resolve, 0));
        const result = await transcribeWav(model.url, model.info, audio, name);
        const heard = document.createElement('span');
        heard.className = 'try-heard';
        heard.textContent = result.text === '' ? '(nothing)' : result.text;
        output.replaceChildren(heard);
        if (target !== undefined) {
          const expected = document.createElement('span');
          expected.className = 'try-target';
          expected.textContent = `target: ${target}`;
          output.append(expected);
        }
        output.dataset.text = result.text;
        output.dataset.model = model.name;
        const perSecond = result.computeSeconds / result.seconds;
        output.dataset.secondsPerSecond = String(perSecond);
        status.textContent =
          `${name}: ${result.seconds.toFixed(2)} s of audio transcribed in ${result.computeSeconds.toFixed(2)} s (${perSecond.toFixed(2)} s per second of audio) by ` +
          `${describeModel(demo, model)}${result.notes.length ? `; ${result.notes.join('; ')}` : ''}.`;
      } catch (error) {
        output.textContent = '';
        status.textContent = `Could not transcribe ${name}: ${(error as Error).message}`;
        console.error('TryIt (speech):', error);
      }
    });

  for (const button of Array.from(section.querySelectorAll<HTMLButtonElement>('button[data-try-sample]'))) {
    const sample = demo.samples.find((candidate) => String(candidate.index) === button.dataset.trySample);
    const output = section.querySelector<HTMLElement>(`[data-try-result="${button.dataset.trySample}"]`);
    if (!sample || !output) continue;
    button.addEventListener('click', () => {
      void run(
        async () => {
          const response = await fetch(sample.url);
          if (!response.ok) throw new Error(`${sample.url}: HTTP ${response.status}`);
          return new Uint8Array(await response.arrayBuffer());
        },
        `sample clip ${sample.index + 1}`,
        output,
        sample.target,
      );
    });
  }

  const own = section.querySelector<HTMLElement>('[data-try-own]')!;
  const runFile = (file: File) => void run(async () => new Uint8Array(await file.arrayBuffer()), file.name, own);
  const input = section.querySelector<HTMLInputElement>('input[data-try-file]');
  input?.addEventListener('change', () => {
    const file = input.files?.[0];
    if (file) runFile(file);
  });
  // A WAV dropped anywhere on the section is transcribed like a chosen one.
  section.addEventListener('dragover', (event) => {
    if (!event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    section.dataset.dropping = 'true';
  });
  section.addEventListener('dragleave', () => delete section.dataset.dropping);
  section.addEventListener('drop', (event) => {
    const file = event.dataTransfer?.files[0];
    delete section.dataset.dropping;
    if (!file) return;
    event.preventDefault();
    runFile(file);
  });
}

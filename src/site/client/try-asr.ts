/**
 * Browser side of <TryAsr>: wires the section's buttons, file input and drop zone. The engine (tfjs, the model, the
 * audio pipeline: try-asr-model.ts) is imported only when the reader first asks for a transcript, so a reader who
 * never does downloads none of it. Everything it fetches comes from the site itself.
 */
import type { AsrDemo } from './try-it.ts';

type Engine = typeof import('./try-asr-model.ts');

let engine: Promise<Engine> | undefined;

function loadEngine(): Promise<Engine> {
  engine ??= import('./try-asr-model.ts');
  engine.catch(() => (engine = undefined));
  return engine;
}

export function setUpTryAsr(root: ParentNode = document): void {
  for (const section of Array.from(root.querySelectorAll<HTMLElement>('[data-try-asr]'))) {
    if (section.dataset.ready) continue;
    section.dataset.ready = 'true';
    const configText = section.querySelector('script[data-try-config]')?.textContent;
    if (configText) wire(section, JSON.parse(configText) as AsrDemo);
  }
}

function wire(section: HTMLElement, demo: AsrDemo): void {
  const status = section.querySelector<HTMLElement>('[data-try-status]')!;
  const chosenModel = () => {
    const name = section.querySelector<HTMLInputElement>('input[data-try-model]:checked')?.value;
    return demo.models.find((model) => model.name === name) ?? demo.models[0];
  };
  let busy = false;

  async function run(bytes: () => Promise<Uint8Array>, name: string, output: HTMLElement): Promise<void> {
    if (busy) return;
    busy = true;
    section.setAttribute('aria-busy', 'true');
    const model = chosenModel();
    output.textContent = '…';
    output.removeAttribute('data-text');
    try {
      if (!engine) status.textContent = `Loading the model (${Math.round(model.bytes / 1024)} kB of weights) and TensorFlow.js…`;
      const [{ transcribeWav, loadModel }, audio] = await Promise.all([loadEngine(), bytes()]);
      await loadModel(model.url, model.info);
      status.textContent = `Transcribing ${name}…`;
      // Let the status paint before the main thread is busy computing.
      await new Promise((resolve) => setTimeout(resolve, 0));
      const result = await transcribeWav(model.url, model.info, audio, name);
      output.textContent = result.text === '' ? '(nothing)' : result.text;
      output.dataset.text = result.text;
      output.dataset.model = model.name;
      const perSecond = result.computeSeconds / result.seconds;
      output.dataset.secondsPerSecond = String(perSecond);
      status.textContent =
        `${name}: ${result.seconds.toFixed(2)} s of audio transcribed by the ${model.info.config.decoder} decoder in ${result.computeSeconds.toFixed(2)} s ` +
        `(${perSecond.toFixed(2)} s per second of audio)${result.notes.length ? `; ${result.notes.join('; ')}` : ''}.`;
    } catch (error) {
      output.textContent = '';
      status.textContent = `Could not transcribe ${name}: ${(error as Error).message}`;
      console.error('TryAsr:', error);
    } finally {
      busy = false;
      section.removeAttribute('aria-busy');
    }
  }

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

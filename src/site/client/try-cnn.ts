/**
 * Browser side of an image <TryIt>: a 28x28 drawing pad (drawn at 10x: mouse, pen or touch, white on black like the
 * training images), an image upload and a choice of test images (the keyboard's way in), and the class
 * probabilities. The engine (tfjs and the network: try-cnn-model.ts) is imported on the first "Classify"; after
 * that every finished stroke, upload or choice is classified at once.
 */
import type { CnnDemo } from './try-demo.ts';
import { chosenModel, describeModel, LazyModule, oneAtATime } from './try-section.ts';

const SIZE = 28;
const SCALE = 10;
const PAD = SIZE * SCALE;

const engine = new LazyModule(() => import('./try-cnn-model.ts'));

/** The pad's pixels as the network's input: each 10x10 block averaged, [28 * 28] in [0, 1]. */
function padPixels(rgba: Uint8ClampedArray, size = SIZE, scale = SCALE): Float32Array {
  const width = size * scale;
  const pixels = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let sum = 0;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const at = 4 * ((y * scale + dy) * width + x * scale + dx);
          // Grey as Pillow's convert('L'), over black where translucent.
          sum += ((0.299 * rgba[at] + 0.587 * rgba[at + 1] + 0.114 * rgba[at + 2]) * rgba[at + 3]) / 255;
        }
      }
      pixels[y * size + x] = sum / (scale * scale) / 255;
    }
  }
  return pixels;
}

export function wireCnn(section: HTMLElement, demo: CnnDemo): void {
  const canvas = section.querySelector<HTMLCanvasElement>('canvas[data-try-pad]')!;
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  const status = section.querySelector<HTMLElement>('[data-try-status]')!;
  const list = section.querySelector<HTMLOListElement>('[data-try-probabilities]')!;
  const summary = section.querySelector<HTMLElement>('[data-try-summary]')!;
  let modelLoaded = false;
  // A drawing that changes while it is being classified is classified again once that ends.
  const oneRequest = oneAtATime(section, { latest: true });

  function clear(): void {
    context.fillStyle = '#000';
    context.fillRect(0, 0, PAD, PAD);
  }
  clear();

  const classify = (): Promise<void> =>
    oneRequest(async () => {
      const model = chosenModel(section, demo.models);
      try {
        if (!modelLoaded)
          status.textContent = `Loading the ${model.info.config.variant} network (${Math.round(model.bytes / 1024)} kB of weights) and TensorFlow.js…`;
        const { classify: run } = await engine.get();
        const result = await run(model.url, model.info, padPixels(context.getImageData(0, 0, PAD, PAD).data));
        modelLoaded = true;
        show(result.probabilities, model.info.classNames);
        status.textContent = `Classified in ${(1000 * result.computeSeconds).toFixed(1)} ms by ${describeModel(demo, model)}: it can only answer with one of its ${model.info.classNames.length} classes.`;
      } catch (error) {
        status.textContent = `Could not classify: ${(error as Error).message}`;
        console.error('TryIt (images):', error);
      }
    });

  function show(probabilities: number[], classNames: string[]): void {
    const best = probabilities.indexOf(Math.max(...probabilities));
    list.replaceChildren(
      ...probabilities.map((probability, index) => {
        const item = document.createElement('li');
        item.dataset.probability = String(probability);
        if (index === best) item.dataset.best = 'true';
        const name = document.createElement(index === best ? 'strong' : 'span');
        name.textContent = classNames[index];
        const meter = document.createElement('meter');
        meter.min = 0;
        meter.max = 1;
        meter.value = probability;
        meter.setAttribute('aria-label', classNames[index]);
        const value = document.createElement('span');
        value.textContent = `${(100 * probability).toFixed(1)}%`;
        item.append(name, meter, value);
        return item;
      }),
    );
    summary.textContent = `${classNames[best]} (${(100 * probabilities[best]).toFixed(1)}%)`;
  }

  // Drawing: thick round strokes, as a pen on the 28x28 grid would be about 2.5 pixels wide.
  let drawing = false;
  let last: [number, number] | null = null;
  const point = (event: PointerEvent): [number, number] => {
    const box = canvas.getBoundingClientRect();
    return [((event.clientX - box.left) / box.width) * PAD, ((event.clientY - box.top) / box.height) * PAD];
  };
  canvas.addEventListener('pointerdown', (event) => {
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    last = point(event);
    stroke(last, last);
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!drawing || !last) return;
    const next = point(event);
    stroke(last, next);
    last = next;
  });
  const finish = () => {
    if (!drawing) return;
    drawing = false;
    last = null;
    if (modelLoaded) void classify();
  };
  canvas.addEventListener('pointerup', finish);
  canvas.addEventListener('pointercancel', finish);
  function stroke(from: [number, number], to: [number, number]): void {
    context.strokeStyle = '#fff';
    context.lineWidth = 24;
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.beginPath();
    context.moveTo(...from);
    context.lineTo(...to);
    context.stroke();
  }

  section.querySelector('[data-try-clear]')?.addEventListener('click', () => {
    clear();
    list.replaceChildren();
    summary.textContent = '';
  });
  section.querySelector('[data-try-classify]')?.addEventListener('click', () => void classify());
  for (const radio of Array.from(section.querySelectorAll<HTMLInputElement>('input[data-try-model]'))) {
    radio.addEventListener('change', () => {
      if (modelLoaded) void classify();
    });
  }

  // An uploaded image is fitted into the pad (the browser resizes it), on black, then read back like a drawing.
  const upload = section.querySelector<HTMLInputElement>('input[data-try-image]');
  upload?.addEventListener('change', async () => {
    const file = upload.files?.[0];
    if (!file) return;
    try {
      const bitmap = await createImageBitmap(file);
      const scale = Math.min(PAD / bitmap.width, PAD / bitmap.height);
      const [width, height] = [bitmap.width * scale, bitmap.height * scale];
      clear();
      context.imageSmoothingEnabled = !(bitmap.width < SIZE * 2);
      context.drawImage(bitmap, (PAD - width) / 2, (PAD - height) / 2, width, height);
      bitmap.close();
      void classify();
    } catch (error) {
      status.textContent = `Could not read ${file.name} as an image: ${(error as Error).message}`;
    }
  });

  // A test image of the fixture, drawn 10x with hard edges so reading it back gives its exact pixels.
  const examples = section.querySelector<HTMLSelectElement>('select[data-try-example]');
  examples?.addEventListener('change', () => {
    const example = demo.examples[Number(examples.value)];
    if (!example) return;
    const grey = Uint8Array.from(atob(example.pixels), (character) => character.charCodeAt(0));
    const image = context.createImageData(SIZE, SIZE);
    grey.forEach((value, i) => image.data.set([value, value, value, 255], 4 * i));
    const small = document.createElement('canvas');
    small.width = small.height = SIZE;
    small.getContext('2d')!.putImageData(image, 0, 0);
    clear();
    context.imageSmoothingEnabled = false;
    context.drawImage(small, 0, 0, PAD, PAD);
    void classify();
  });
}

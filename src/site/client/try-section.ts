/**
 * What both "try it" wirings (try-asr.ts, try-cnn.ts) share in the browser: the model the reader chose, an engine
 * module imported only on the first request (so a reader who never asks downloads none of tfjs), and one request at
 * a time per section, marked `aria-busy` while it runs.
 */

/** A model as every result names it: what it is, the run and seed it comes from, and what it was trained on. */
export function describeModel(
  demo: { shown: { experiment: string; profile: string }; training: { short: string } },
  model: { label: string; info: { kind: 'asr' | 'cnn'; seed: number } },
): string {
  const what = model.info.kind === 'asr' ? `${model.label} decoder` : `${model.label} network`;
  return `the ${what} of run ${demo.shown.experiment}/${demo.shown.profile}, seed ${model.info.seed}, trained on ${demo.training.short}`;
}

/** The model whose radio button is checked in `section`, or the first. */
export function chosenModel<Model extends { name: string }>(section: HTMLElement, models: readonly Model[]): Model {
  const name = section.querySelector<HTMLInputElement>('input[data-try-model]:checked')?.value;
  return models.find((model) => model.name === name) ?? models[0];
}

/** A module imported when first asked for; a failed import is tried again on the next request. */
export class LazyModule<Module> {
  #module: Promise<Module> | undefined;
  readonly #load: () => Promise<Module>;

  constructor(load: () => Promise<Module>) {
    this.#load = load;
  }

  /** Whether it has been asked for (so the page need not say it is loading). */
  get requested(): boolean {
    return this.#module !== undefined;
  }

  get(): Promise<Module> {
    if (!this.#module) {
      const module = this.#load();
      module.catch(() => (this.#module = undefined));
      this.#module = module;
    }
    return this.#module;
  }
}

/**
 * Runs a section's requests one at a time. A request made while one runs is dropped, or with `latest` kept (the
 * last one only) and run when the current one ends: a drawing that changed while it was being classified.
 */
export function oneAtATime(section: HTMLElement, { latest = false } = {}): (task: () => Promise<void>) => Promise<void> {
  let busy = false;
  let waiting: (() => Promise<void>) | undefined;
  const run = async (task: () => Promise<void>): Promise<void> => {
    if (busy) {
      if (latest) waiting = task;
      return;
    }
    busy = true;
    section.setAttribute('aria-busy', 'true');
    try {
      await task();
    } finally {
      busy = false;
      section.removeAttribute('aria-busy');
      const next = waiting;
      waiting = undefined;
      if (next) void run(next);
    }
  };
  return run;
}

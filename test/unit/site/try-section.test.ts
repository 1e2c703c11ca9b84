/** What both "try it" wirings share in the browser (src/site/client/try-section.ts), without a browser. */
import { describe, expect, it } from 'vitest';
import { chosenModel, LazyModule, oneAtATime } from '../../../src/site/client/try-section.ts';

/** The few DOM members the helpers use, recorded. */
function fakeSection(checked?: string) {
  const attributes = new Map<string, string>();
  const section = {
    setAttribute: (name: string, value: string) => attributes.set(name, value),
    removeAttribute: (name: string) => attributes.delete(name),
    querySelector: () => (checked === undefined ? null : { value: checked }),
  };
  return { section: section as unknown as HTMLElement, attributes };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

describe('try-it sections', () => {
  it('run one request at a time, aria-busy while it runs; a request meanwhile is dropped, or kept when latest', async () => {
    for (const latest of [false, true]) {
      const { section, attributes } = fakeSection();
      const run = oneAtATime(section, { latest });
      const ran: string[] = [];
      const first = deferred();
      const done = run(async () => {
        ran.push('first');
        await first.promise;
      });
      expect(attributes.get('aria-busy')).toBe('true');
      void run(async () => void ran.push('second'));
      void run(async () => void ran.push('third'));
      first.resolve();
      await done;
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(ran).toEqual(latest ? ['first', 'third'] : ['first']);
      expect(attributes.has('aria-busy')).toBe(false);
    }
  });

  it('import an engine once, and again after a failed import', async () => {
    let calls = 0;
    const engine = new LazyModule(async () => {
      calls++;
      if (calls === 1) throw new Error('offline');
      return { calls };
    });
    expect(engine.requested).toBe(false);
    await expect(engine.get()).rejects.toThrow('offline');
    expect(engine.requested).toBe(false);
    expect(await engine.get()).toEqual({ calls: 2 });
    expect(await engine.get()).toEqual({ calls: 2 });
    expect(engine.requested).toBe(true);
  });

  it('use the model the reader checked, or the first', () => {
    const models = [{ name: 'attention' }, { name: 'recurrent' }];
    expect(chosenModel(fakeSection('recurrent').section, models)).toBe(models[1]);
    expect(chosenModel(fakeSection().section, models)).toBe(models[0]);
  });
});

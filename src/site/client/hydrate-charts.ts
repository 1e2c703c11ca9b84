/**
 * Browser side of <VegaChart>: each chart is already on the page as SVG; when it nears the viewport, vega-embed
 * (loaded then, not before) redraws it from the compiled spec beside it, adding tooltips and the export menu.
 * Vega evaluates expressions with its interpreter (`ast: true`) instead of generated functions, so the page
 * works under a Content-Security-Policy without 'unsafe-eval'; vega-embed's and vega-tooltip's injected
 * <style> elements are turned off (the site's stylesheet carries those rules), so no 'unsafe-inline' either.
 * If anything fails, the build-time SVG stays.
 */

import { vegaTextWidth } from '../../lib/text/text-width.ts';

const chartSelector = 'figure[data-vega-chart]';

/** The live chart of each figure, so that drawing it again in another layout can finalize the previous one. */
const embedded = new WeakMap<HTMLElement, { finalize(): void }>();

export function hydrateCharts(root: ParentNode = document): void {
  const figures = Array.from(root.querySelectorAll<HTMLElement>(chartSelector)).filter((figure) => !figure.dataset.hydrated);
  if (figures.length === 0) return;
  for (const figure of figures) figure.dataset.hydrated = 'waiting';
  if (!('IntersectionObserver' in window)) {
    for (const figure of figures) void hydrate(figure);
    return;
  }
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        observer.unobserve(entry.target);
        void hydrate(entry.target as HTMLElement);
      }
    },
    // Start loading a little before the chart is visible, so it is live by the time the reader gets there.
    { rootMargin: '200px 0px' },
  );
  for (const figure of figures) observer.observe(figure);
}

/**
 * The layout a chart's container asks for: `narrow` below the width its figure names (data-narrow-below, the
 * breakpoint of the CSS container query that shows the narrow drawing), else `wide`.
 */
function layoutFor(figure: HTMLElement, view: HTMLElement): 'wide' | 'narrow' {
  const below = Number(figure.dataset.narrowBelow);
  // The container query measures the content box: the client width less the padding.
  const style = getComputedStyle(view);
  const width = view.clientWidth - Number.parseFloat(style.paddingLeft) - Number.parseFloat(style.paddingRight);
  return Number.isFinite(below) && below > 0 && width < below ? 'narrow' : 'wide';
}

/** A chart with a narrow layout is drawn again when its container crosses the breakpoint (a phone turned, a window resized). */
function followWidth(figure: HTMLElement, view: HTMLElement, layout: 'wide' | 'narrow'): void {
  if (!figure.dataset.narrowBelow || !('ResizeObserver' in window)) return;
  const observer = new ResizeObserver(() => {
    if (layoutFor(figure, view) === layout || figure.dataset.hydrated !== 'true') return;
    observer.disconnect();
    void hydrate(figure);
  });
  observer.observe(view);
}

async function hydrate(figure: HTMLElement): Promise<void> {
  figure.dataset.hydrated = 'loading';
  try {
    const view = figure.querySelector<HTMLElement>('.chart-view');
    if (!view) throw new Error('chart markup is incomplete (no view)');
    const layout = layoutFor(figure, view);
    const specText = figure.querySelector('script[data-vega-spec]')?.textContent;
    const narrowText = figure.querySelector('script[data-vega-spec-narrow]')?.textContent;
    if (!specText || (layout === 'narrow' && !narrowText)) throw new Error(`chart markup is incomplete (no ${layout} spec)`);
    const spec = layout === 'narrow' ? narrowSpec(JSON.parse(specText), JSON.parse(narrowText!)) : JSON.parse(specText);
    const [{ default: embed }, vega, { expressionInterpreter }] = await Promise.all([import('vega-embed'), import('vega'), import('vega-interpreter')]);
    // vega-scenegraph's textMetrics is exported by vega but missing from its type declarations.
    const { textMetrics } = vega as unknown as { textMetrics: { canvas(useCanvas: boolean): void; width: typeof vegaTextWidth } };
    // Measure text as the build does in Node (src/site/vega.ts: from the font's advance widths, not the canvas), so
    // the live chart lays out exactly like the drawn one: same axis title positions, same legend widths.
    textMetrics.canvas(false);
    textMetrics.width = vegaTextWidth;
    const live = document.createElement('div');
    live.className = 'chart-live';
    // Drawn off to the side and swapped in whole, so a failure leaves the static chart untouched.
    const result = await embed(live, spec, {
      mode: 'vega',
      renderer: 'svg',
      ast: true,
      expr: expressionInterpreter,
      defaultStyle: false,
      // Without the default style vega-embed would leave its actions menu always open; keep it folded.
      forceActionsMenu: true,
      tooltip: { disableDefaultStyle: true, theme: currentTheme() },
      actions: { export: true, source: false, compiled: false, editor: false },
    });
    // vega-embed's menu button is an icon only; give it a name screen readers can announce.
    live.querySelector('details > summary')?.setAttribute('aria-label', 'Chart actions: save as SVG or PNG');
    // The live chart keeps the text alternative of the drawn one.
    const label = view.querySelector('svg[aria-label]')?.getAttribute('aria-label');
    const liveSvg = live.querySelector('svg.marks');
    if (label && liveSvg) {
      liveSvg.setAttribute('role', 'img');
      liveSvg.setAttribute('aria-label', label);
    }
    view.replaceChildren(live);
    // Drawn again in another layout: the previous live chart lets go of its listeners, and its keys go.
    embedded.get(figure)?.finalize();
    embedded.set(figure, result);
    figure.querySelector('.chart-keys')?.remove();
    figure.dataset.layout = layout;
    addLegendKeys(figure, view, spec, result.view);
    figure.dataset.hydrated = 'true';
    followWidth(figure, view, layout);
  } catch (error) {
    figure.dataset.hydrated = 'failed';
    console.error('VegaChart: could not make the chart interactive; the static chart stays.', error);
  }
}

interface VegaData {
  name: string;
  values?: unknown;
}

/** The narrow spec with the rows it shares with the wide one copied back in (the build sends them once: vega.ts shareData). */
function narrowSpec(wide: { data?: VegaData[] }, narrow: { spec: { data?: VegaData[] }; sharedData: string[] }): unknown {
  const rows = new Map((wide.data ?? []).map((entry) => [entry.name, entry.values]));
  const data = (narrow.spec.data ?? []).map((entry) => (narrow.sharedData.includes(entry.name) ? { ...entry, values: rows.get(entry.name) } : entry));
  return { ...narrow.spec, data };
}

/** The theme the page shows: the reader's choice (src/public/theme.js) or else the system's. */
function currentTheme(): 'light' | 'dark' {
  const chosen = document.documentElement.dataset.theme;
  if (chosen === 'light' || chosen === 'dark') return chosen;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** The parts of a Vega view the keyboard controls use. */
interface LiveView {
  runAsync(): Promise<unknown>;
  remove(name: string, tuples: (tuple: unknown) => boolean): LiveView;
}

/**
 * Keyboard access to a chart whose legend selects series (Vega-Lite `bind: "legend"`): one button per legend entry,
 * outside the SVG, that does what clicking the entry does (the first shows only that series, the next add to it),
 * and a button that shows every series again. The buttons replay the click on the legend entry itself, so the
 * chart's own selection logic stays the only one.
 */
function addLegendKeys(figure: HTMLElement, view: HTMLElement, spec: unknown, live: LiveView): void {
  const titles = interactiveLegendTitles(spec);
  if (titles.size === 0) return;
  const svg = view.querySelector<SVGSVGElement>('svg.marks');
  if (!svg) return;
  const toolbar = document.createElement('div');
  toolbar.className = 'chart-keys';
  toolbar.setAttribute('role', 'group');
  toolbar.setAttribute('aria-label', 'Show only some series (the same as clicking the legend)');
  const buttons: HTMLButtonElement[] = [];
  for (const legend of Array.from(svg.querySelectorAll<SVGGElement>('g.role-legend'))) {
    const title = legend.querySelector('g.role-legend-title text')?.textContent?.trim() ?? '';
    if (!titles.has(title)) continue;
    const group = document.createElement('span');
    group.className = 'chart-keys-group';
    group.append(`${title}: `);
    for (const entry of Array.from(legend.querySelectorAll<SVGTextElement>('g.role-legend-label text'))) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = entry.textContent ?? '';
      button.setAttribute('aria-pressed', 'false');
      button.addEventListener('click', () => {
        const adding = buttons.some((other) => other.getAttribute('aria-pressed') === 'true');
        entry.dispatchEvent(new MouseEvent('click', { bubbles: true, shiftKey: adding }));
        button.setAttribute('aria-pressed', 'true');
        void live.runAsync();
      });
      buttons.push(button);
      group.append(button);
    }
    toolbar.append(group);
  }
  if (buttons.length === 0) return;
  const all = document.createElement('button');
  all.type = 'button';
  all.textContent = 'show all';
  all.addEventListener('click', () => {
    // Empty the selections' stores: what a double-click on the chart does.
    for (const store of selectionStores(spec)) live.remove(store, () => true);
    for (const button of buttons) button.setAttribute('aria-pressed', 'false');
    void live.runAsync();
  });
  toolbar.append(all);
  figure.querySelector('.chart-keys')?.remove();
  view.after(toolbar);
}

/** Titles of the legends whose entries select (compiled Vega: `encode.labels.interactive`). */
function interactiveLegendTitles(spec: unknown): Set<string> {
  const titles = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    if (Array.isArray(record.legends)) {
      for (const legend of record.legends as Record<string, unknown>[]) {
        const encode = legend.encode as Record<string, { interactive?: boolean }> | undefined;
        if (encode?.labels?.interactive || encode?.symbols?.interactive) titles.add(String(legend.title ?? ''));
      }
    }
    Object.values(record).forEach(visit);
  };
  visit(spec);
  return titles;
}

/** The data sets in which Vega-Lite keeps selections (`<param>_store`). */
function selectionStores(spec: unknown): string[] {
  const data = (spec as { data?: { name?: string }[] }).data ?? [];
  return data.map((entry) => entry.name ?? '').filter((name) => name.endsWith('_store'));
}

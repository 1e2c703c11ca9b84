/**
 * Browser side of <VegaChart>: each chart is already on the page as SVG; when it nears the viewport, vega-embed
 * (loaded then, not before) redraws it from the compiled spec beside it, adding tooltips and the export menu.
 * Vega evaluates expressions with its interpreter (`ast: true`) instead of generated functions, so the page
 * works under a Content-Security-Policy without 'unsafe-eval'; vega-embed's and vega-tooltip's injected
 * <style> elements are turned off (the site's stylesheet carries those rules), so no 'unsafe-inline' either.
 * If anything fails, the build-time SVG stays.
 */

const chartSelector = 'figure[data-vega-chart]';

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

async function hydrate(figure: HTMLElement): Promise<void> {
  figure.dataset.hydrated = 'loading';
  try {
    const specText = figure.querySelector('script[data-vega-spec]')?.textContent;
    const view = figure.querySelector<HTMLElement>('.chart-view');
    if (!specText || !view) throw new Error('chart markup is incomplete (no spec or no view)');
    const spec = JSON.parse(specText);
    const [{ default: embed }, { expressionInterpreter }] = await Promise.all([import('vega-embed'), import('vega-interpreter')]);
    const live = document.createElement('div');
    live.className = 'chart-live';
    // Drawn off to the side and swapped in whole, so a failure leaves the static chart untouched.
    await embed(live, spec, {
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
    view.replaceChildren(live);
    figure.dataset.hydrated = 'true';
  } catch (error) {
    figure.dataset.hydrated = 'failed';
    console.error('VegaChart: could not make the chart interactive; the static chart stays.', error);
  }
}

/** The theme the page shows: the reader's choice (src/public/theme.js) or else the system's. */
function currentTheme(): 'light' | 'dark' {
  const chosen = document.documentElement.dataset.theme;
  if (chosen === 'light' || chosen === 'dark') return chosen;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

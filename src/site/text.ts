/**
 * Text into HTML at build time. Short texts given to components as props (table headings, captions) may hold
 * inline TeX between `$`s; they are rendered here with KaTeX, like the prose. Everything else is HTML-escaped,
 * and data handed to the page's scripts is JSON made safe inside a `<script>` element.
 */
import katex from 'katex';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
}

/** `Feature dimension $M$` -> escaped text with the `$…$` parts typeset. An unclosed `$` is an error. */
export function inlineMarkup(text: string, where: string): string {
  const parts = text.split('$');
  if (parts.length % 2 === 0) throw new Error(`${where}: "${text}" has an unmatched $`);
  return parts
    .map((part, index) => {
      if (index % 2 === 0) return escapeHtml(part);
      try {
        return katex.renderToString(part, { throwOnError: true, strict: 'error', output: 'htmlAndMathml' });
      } catch (error) {
        throw new Error(`${where}: cannot typeset $${part}$: ${(error as Error).message}`);
      }
    })
    .join('');
}

/**
 * JSON that is safe inside `<script type="application/json">`: `<` is escaped so no string in the data can
 * close the element or open a comment.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** The policy every page carries. The browser suite (test/e2e) shows the site works under it. */
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, policyText } from '../../../src/site/csp.ts';

describe('content security policy', () => {
  it('allows scripts and stylesheets from the site only, and never eval', () => {
    const text = policyText();
    expect(text).toContain("script-src 'self'");
    expect(text).toContain("style-src 'self'");
    expect(text).not.toMatch(/unsafe-eval|\*|https?:/);
    // Inline code is never allowed; inline style attributes are (KaTeX and Vega write them).
    expect(contentSecurityPolicy['script-src']).toEqual(["'self'"]);
    expect(
      Object.entries(contentSecurityPolicy)
        .filter(([, sources]) => sources.includes("'unsafe-inline'"))
        .map(([directive]) => directive),
    ).toEqual(['style-src-attr']);
  });

  it('holds nothing a meta element cannot carry', () => {
    expect(Object.keys(contentSecurityPolicy)).not.toEqual(expect.arrayContaining(['frame-ancestors']));
    for (const directive of ['frame-ancestors', 'report-uri', 'sandbox']) expect(contentSecurityPolicy).not.toHaveProperty(directive);
  });
});

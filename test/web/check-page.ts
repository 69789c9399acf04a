/**
 * The checks every page of the workbench passes in Chromium, at 1400 px and 390 px (issue 23): the document is no
 * wider than the window (no horizontal scrolling), no element's text looks like an internal code, and axe-core's
 * WCAG 2.1 A/AA rules find nothing. With a folder, the screenshots of each width are written there and the axe
 * results are kept by page name (docs/screenshots/axe-results.json).
 */
import { join } from 'node:path';
import { statSync } from 'node:fs';
import { expect } from 'vitest';
import { type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

export type AxeResults = Record<
  string,
  { width: number; violations: { id: string; impact: string | null | undefined; nodes: number }[]; passes: number; incomplete: number }[]
>;

/**
 * Internal codes a person should never read: snake_case identifiers (two or more lowercase words joined by _),
 * uuids, and a code word in brackets after a Chinese term, as in "起诉状副本（complaint_copy）" or "（performance）".
 */
export const CODE_PATTERN = /\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b|[（(][a-z]{3,}[)）]/i;
export const WIDTHS = [1400, 390] as const;

export async function checkPage(page: Page, name: string, shots?: { dir: string; axe: AxeResults }) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    const overflow = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, win: document.documentElement.clientWidth }));
    expect(overflow.doc, `${name} at ${width}px: the page is ${overflow.doc}px wide`).toBeLessThanOrEqual(overflow.win);
    const texts = await page.evaluate(() => {
      const out: string[] = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (!el || el.closest('script,style,details:not([open]) > :not(summary)')) continue;
        const t = n.textContent?.trim();
        if (t) out.push(t);
      }
      // What assistive technology reads too: labels, titles, options.
      for (const el of document.querySelectorAll('[aria-label],[title],option'))
        out.push(el.getAttribute('aria-label') ?? el.getAttribute('title') ?? el.textContent ?? '');
      return out;
    });
    const leaks = texts.filter((t) => CODE_PATTERN.test(t));
    expect(leaks, `${name} at ${width}px shows internal codes`).toEqual([]);
    const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    if (shots)
      (shots.axe[name] ??= []).push({
        width,
        violations: axe.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })),
        passes: axe.passes.length,
        incomplete: axe.incomplete.length,
      });
    expect(
      axe.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
      `${name} at ${width}px: axe violations`,
    ).toEqual([]);
    if (shots) {
      const path = join(shots.dir, `${name}-${width}.png`);
      await page.screenshot({ path, fullPage: true });
      if (statSync(path).size > 1024 * 1024) await page.screenshot({ path, fullPage: false });
      expect(statSync(path).size).toBeLessThanOrEqual(1024 * 1024);
    }
  }
  await page.setViewportSize({ width: 1400, height: 900 });
}

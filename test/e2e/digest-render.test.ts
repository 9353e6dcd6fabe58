/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { renderNextDigest } from '@bt/services';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.ts';
import { createHarness, type Harness } from '../support/harness.ts';

/**
 * The digest's HTML in a real browser (Debian's Chromium, driven by
 * playwright-core; no browser download), screenshotted at 600px and at phone
 * width, and checked for what Outlook drops or blocks.
 */
const out = join(import.meta.dirname, '..', '..', 'test-results');
let h: Harness;
let browser: Browser;
let html: string;

beforeAll(async () => {
  h = await createHarness({ sharedDemo: true });
  html = (await renderNextDigest(h.deps, h.digest.settings, 'test', '2026-11-23')).html;
  browser = await launchChromium();
  mkdirSync(out, { recursive: true });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h.cleanup();
});

describe('the digest HTML', () => {
  it('has no script, no external resource and no CSS that Outlook drops', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<(img|link|iframe|object|embed|video|audio|source)\b/i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).not.toMatch(/@import/i);
    expect(html).not.toMatch(/<style/i);
    const styles = [...html.matchAll(/style="([^"]*)"/g)].map((m) => m[1]!);
    expect(styles.length).toBeGreaterThan(50);
    for (const s of styles) expect(s).not.toMatch(/display\s*:\s*(flex|grid|inline-flex)|position\s*:|float\s*:|\bgap\s*:|transform|var\(/i);
    // Every link goes to the configured tracker, over https.
    for (const [, href] of html.matchAll(/href="([^"]*)"/g)) expect(href).toMatch(/^https:\/\/tracker\.council\.example\.gov\.uk\//);
  });

  it('renders at 600px and on a phone without overflowing, and requests nothing from the network', async () => {
    for (const width of [600, 375]) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.setContent(html, { waitUntil: 'load' });
      const size = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        tables: document.querySelectorAll('table').length,
        h2: [...document.querySelectorAll('h2')].map((e) => e.textContent),
      }));
      await page.screenshot({ path: join(out, `digest-${width}.png`), fullPage: true });
      expect(size.scroll).toBeLessThanOrEqual(width + 1);
      expect(size.tables).toBeGreaterThan(10);
      expect(size.h2).toEqual([
        'Headline figures',
        'Workstreams',
        'Largest slippages',
        "Amber and red projects: the manager's commentary",
        'New and escalated alerts',
        'Critical risks',
        'Milestones due in the next 30 days',
        'Investment against plan',
      ]);
      expect(requests.filter((u) => !u.startsWith('data:') && u !== 'about:blank')).toEqual([]);
      await page.close();
    }
  });
});

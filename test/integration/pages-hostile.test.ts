import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_CSP } from '@bt/api';
import { createHarness, expectProblem, type Harness } from '../support/harness.ts';

/** The pages' sign-in and the API's edges under a hostile client (issue 14). */
let h: Harness;
beforeAll(async () => {
  h = await createHarness({ pages: true, bodyLimitBytes: 8192 });
});
afterAll(async () => {
  await h.cleanup();
});

const ORIGIN = 'http://localhost';
const signIn = (form: Record<string, string>, headers: Record<string, string> = {}) =>
  h.app.request('/sign-in', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });

describe('signing in to the pages', () => {
  it('refuses a sign-in form posted from another site (login CSRF), setting no session', async () => {
    const variants: Record<string, string>[] = [{ Origin: 'https://evil.example' }, { Origin: 'null' }, { 'Sec-Fetch-Site': 'cross-site' }, {}];
    for (const headers of variants) {
      const res = await signIn({ token: h.tokens.cmt, next: '/' }, headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(res.headers.get('set-cookie')).toBeNull();
    }
    const ok = await signIn({ token: h.tokens.cmt, next: '/alerts' }, { Origin: ORIGIN });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/alerts');
    expect(ok.headers.get('set-cookie')).toMatch(/HttpOnly/);
  });

  it('never sends a person off-site after signing in, and never fails on what `next` holds', async () => {
    for (const next of ['/\t/evil.example', '//evil.example', '/\\evil.example', 'https://evil.example', '/a\r\nSet-Cookie: x=1', '/a\u0000']) {
      const res = await signIn({ token: h.tokens.cmt, next }, { Origin: ORIGIN });
      expect(res.status, JSON.stringify(next)).toBe(303);
      expect(new URL(res.headers.get('location')!, 'https://tracker.example').host, JSON.stringify(next)).toBe('tracker.example');
    }
    // The same via the sign-in page's query string: the hidden field carries only a safe path.
    const page = await h.app.request(`/sign-in?next=${encodeURIComponent('/\t/evil.example')}`);
    expect(await page.text()).toContain('name="next" value="/"');
  });

  it('answers a form that cannot be read with 400, and one that is too large with 413 and Connection: close', async () => {
    const malformed = await h.app.request('/sign-in', {
      method: 'POST',
      headers: { 'Content-Type': 'multipart/form-data; boundary=xyz', Origin: ORIGIN },
      body: '--xyz\r\nContent-Disposition: form-data; name="token"\r\n\r\nabc',
    });
    expect(malformed.status).toBe(400);
    const huge = await h.app.request('/sign-in', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: ORIGIN },
      body: `token=${'x'.repeat(100_000)}`,
    });
    expect(huge.status).toBe(413);
    expect(huge.headers.get('connection')).toBe('close');
    const api = await h.call('POST', '/v1/workstreams', {
      token: h.tokens.admin,
      rawBody: JSON.stringify({ name: 'x'.repeat(100_000) }),
      headers: { 'Content-Type': 'application/json' },
    });
    expectProblem(api, 413);
    expect(api.headers.get('connection')).toBe('close');
  });
});

describe('an address no page has', () => {
  it('shows a browser "Page not found", a client of the API problem+json, and under /v1 always problem+json', async () => {
    const html = { Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
    const lost = await h.app.request('/approvals', { headers: html });
    expect(lost.status).toBe(404);
    expect(lost.headers.get('content-type')).toMatch(/^text\/html/);
    expect(lost.headers.get('content-security-policy')).toBe(PAGE_CSP);
    const body = await lost.text();
    expect(body).toContain('<h1 class="govuk-heading-l">Page not found</h1>');
    expect(body).toContain('href="/"');
    expectProblem(await h.call('GET', '/approvals', { token: h.tokens.cmt }), 404, 'not-found');
    const api = await h.app.request('/v1/approvals', { headers: html });
    expect([api.status, api.headers.get('content-type')]).toEqual([401, 'application/problem+json']);
  });
});

describe('the digest preview', () => {
  it('is served as HTML under the pages’ no-script policy', async () => {
    const r = await h.call('GET', '/v1/digests/preview?format=html', { token: h.tokens.admin });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatPounds } from '@bt/core';
import { sendDigest, type DigestSettings } from '@bt/services';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, expectProblem, type Harness } from '../support/harness.ts';
import { TEST_NOW } from '../support/test-clock.ts';

let h: Harness;
let settings: DigestSettings;
beforeAll(async () => {
  // A copy of the run's seeded demo: these tests send digests and change a forecast.
  h = await createHarness({ demoCopy: true });
  settings = h.digest.settings;
}, 120_000);
afterAll(async () => {
  await h.cleanup();
});

const emls = () => readdirSync(h.outbox).filter((f) => f.endsWith('.eml'));

describe('the CMT digest', () => {
  it('is a multipart/alternative email whose text and HTML parts carry the programme report’s headline figures', async () => {
    const { digest, sentNow } = await sendDigest(h.deps, settings, h.digest.mailer, '2026-11-23', '2026-11-23');
    expect(sentNow).toBe(true);
    expect(digest.status).toBe('sent');
    const raw = readFileSync(join(h.outbox, `${digest.id}.eml`));
    expect(raw.toString('utf8')).toMatch(/Content-Type: multipart\/alternative/i);
    const mail = await simpleParser(raw);
    expect(mail.subject).toBe(digest.subject);
    expect((mail.to as { value: { address: string }[] }).value.map((v) => v.address)).toEqual(settings.recipients);
    expect(mail.from?.value[0]?.address).toBe(settings.sender);

    const report = (await h.call('GET', '/v1/reports/programme?asAt=2026-11-23', { token: h.tokens.cmt })).body;
    const p = report.programme;
    for (const pence of [p.mtfsTargetPence, p.baselinePence, p.forecastPence, p.realisedPence, p.gapPence, p.riskAdjustedGapPence]) {
      expect(mail.text).toContain(formatPounds(pence));
      expect(mail.html).toContain(formatPounds(pence));
    }
    for (const ws of report.workstreams) expect(mail.html).toContain(ws.name.replace(/&/g, '&amp;').replace(/'/g, '&#39;'));
    // Links open the pages, never the JSON API (a CMT member clicking from Outlook has no bearer token).
    expect(mail.html).toContain('href="https://tracker.council.example.gov.uk/?financialYear=2026%2F27"');
    expect(mail.html).toMatch(/href="https:\/\/tracker\.council\.example\.gov\.uk\/projects\/prj_[0-9A-Z]{26}\?financialYear=2026%2F27"/);
    expect(mail.html).not.toContain('/v1/');
    expect(readFileSync(join(h.outbox, `${digest.id}.html`), 'utf8')).toBe(digest.html);
    expect(mail.text).toContain('CRITICAL RISKS');
    expect(mail.text).toContain('MILESTONES DUE IN THE NEXT 30 DAYS');
  });

  it('sends one email per slot: a retry, or two runs at once, send nothing more', async () => {
    const before = emls().length;
    const again = await sendDigest(h.deps, settings, h.digest.mailer, '2026-11-23', '2026-11-23');
    expect(again.sentNow).toBe(false);
    const [a, b] = await Promise.all([
      sendDigest(h.deps, settings, h.digest.mailer, '2026-11-30', '2026-11-30'),
      sendDigest(h.deps, settings, h.digest.mailer, '2026-11-30', '2026-11-30'),
    ]);
    expect([a.sentNow, b.sentNow].sort()).toEqual([false, true]);
    expect(a.digest.id).toBe(b.digest.id);
    expect(emls().length).toBe(before + 1);
  });

  it('retries a failed send once the slot is reclaimed, and never double-sends', async () => {
    let calls = 0;
    const flaky = {
      async send(mail: Parameters<typeof h.digest.mailer.send>[0]) {
        calls += 1;
        if (calls === 1) throw new Error('SES throttled');
        return h.digest.mailer.send(mail);
      },
    };
    await expect(sendDigest(h.deps, settings, flaky, '2026-12-07', '2026-12-07')).rejects.toThrow('SES throttled');
    const retried = await sendDigest(h.deps, settings, flaky, '2026-12-07', '2027-01-04');
    expect(retried).toMatchObject({ sentNow: true, digest: { status: 'sent' } });
    expect((await sendDigest(h.deps, settings, flaky, '2026-12-07', '2026-12-07')).sentNow).toBe(false);
    expect(calls).toBe(2);
  });

  it('reports movement since the last digest sent', async () => {
    const projects = (await h.call('GET', '/v1/projects?limit=200', { token: h.tokens.admin })).body.items as { id: string; code: string }[];
    const asc = projects.find((p) => p.code === 'ASC-01')!;
    const record = (await h.call('GET', `/v1/projects/${asc.id}`, { token: h.tokens.admin })).body;
    const tec = record.benefits.find((b: { title: string }) => b.title === 'Technology-enabled care');
    await h.call('PUT', `/v1/projects/${asc.id}/benefits/${tec.id}/forecast`, {
      token: h.tokens.admin,
      body: { phased: [{ financialYear: '2026/27', amountPence: 100_000_000 }] },
    });
    const { digest } = await sendDigest(h.deps, settings, h.digest.mailer, '2026-12-14', '2026-12-14');
    const content = digest.content as { movement: { figures: { forecastPence: number } } };
    expect(content.movement.figures.forecastPence).toBe(100_000_000 - 160_000_000);
    expect(digest.text).toContain('(-£0.60m)');
  });

  it('is stored and served: list, one with its HTML, a preview, and sending on demand for admins only', async () => {
    const list = await h.call('GET', '/v1/digests', { token: h.tokens.cmt });
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBeGreaterThanOrEqual(4);
    expect(list.body.items[0]).not.toHaveProperty('html');
    const one = await h.call('GET', `/v1/digests/${list.body.items[0].id}`, { token: h.tokens.cmt });
    expect(one.body.html).toContain('<table');
    const preview = await h.call('GET', '/v1/digests/preview?asAt=2026-11-23', { token: h.tokens.cmt });
    expect(preview.body.subject).toContain('2026/27');
    const html = await h.call('GET', '/v1/digests/preview?format=html', { token: h.tokens.cmt });
    expect(html.contentType).toContain('text/html');
    expectProblem(await h.call('POST', '/v1/digests', { token: h.tokens.cmt }), 403);
    const before = emls().length;
    const sent = await h.call('POST', '/v1/digests', { token: h.tokens.admin });
    expect(sent.status).toBe(201);
    expect(sent.body.slot).toMatch(/^manual:/);
    expect(emls().length).toBe(before + 1);
    expectProblem(await h.call('GET', '/v1/digests/dig_01JD6ZQ4T5N3W8R2X7C9V1B0KM', { token: h.tokens.cmt }), 404);
    expectProblem(await h.call('GET', '/v1/digests', { token: h.tokens.feedReader }), 403);
  });

  it('carries the monthly monitoring pack on the first digest of a month when the settings say so, and only then', async () => {
    const monthly = { ...settings, monitoringPack: 'monthly' as const };
    const send = async (slot: string) => {
      h.setClock(Date.parse(`${slot}T07:30:00Z`));
      const { digest } = await sendDigest(h.deps, monthly, h.digest.mailer, slot, slot);
      return { digest, mail: await simpleParser(readFileSync(join(h.outbox, `${digest.id}.eml`))) };
    };
    const first = await send('2027-01-04');
    expect(first.digest.attachments).toEqual(['monitoring-pack-2026-27-2027-01-04.xlsx']);
    expect(first.mail.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ['monitoring-pack-2026-27-2027-01-04.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ]);
    const { default: ExcelJS } = await import('exceljs');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(first.mail.attachments[0]!.content as unknown as ArrayBuffer);
    const report = (await h.call('GET', '/v1/reports/programme?asAt=2027-01-04', { token: h.tokens.cmt })).body;
    expect(Math.round((wb.getWorksheet('Summary')!.getCell('B5').value as number) * 100)).toBe(report.programme.mtfsTargetPence);
    // The next week's digest, same month: none.
    const second = await send('2027-01-11');
    expect(second.digest.attachments).toBeUndefined();
    expect(second.mail.attachments).toEqual([]);
    h.setClock(TEST_NOW);
  });
});

import { BenefitCategory, BenefitType, DEFAULT_THRESHOLDS, rollUp, statusBuckets, type BenefitSummary } from '@bt/core';
import { allWorkstreams } from '@bt/services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedProgramme } from '../bench/programme.ts';
import { createHarness, type Harness } from '../support/harness.ts';

// Three pages of the programme's summaries (200, 200 and 50 projects), so the report is counted across pages.
const PROJECTS = 450;
const FY = '2025/26';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  // Written straight as items, as the repositories write them: 450 projects through the API would take minutes.
  await seedProgramme(h.store, { doc: h.raw, tableName: h.tableName }, { projects: PROJECTS, benefitsPerProject: 4, years: 3, history: false });
}, 120_000);
afterAll(async () => {
  await h.cleanup();
});

describe('the programme report read a page of projects at a time', () => {
  it('equals the roll-ups of the whole programme read at once, to the penny: programme, workstreams, category, type and status buckets', async () => {
    const report = (await h.call('GET', `/v1/reports/programme?financialYear=${FY}`, { token: h.tokens.cmt })).body;
    const read = await h.store.summaries.programme(FY);
    expect(read.summaries).toHaveLength(PROJECTS);
    const asAt = report.asAt;
    const all = await allWorkstreams(h.deps);
    const whole = (
      summaries: typeof read.summaries,
      target: number | null,
      only: (b: BenefitSummary) => boolean = () => true,
      scope: 'mtfs' | 'all' = 'mtfs',
    ) =>
      JSON.parse(
        JSON.stringify(
          rollUp(
            summaries.flatMap((s) => s.benefits).filter(only),
            target === null ? [] : summaries.flatMap((s) => s.investments),
            FY,
            asAt,
            target,
            DEFAULT_THRESHOLDS,
            read.periods,
            scope,
          ),
        ),
      );
    const target = all.reduce((a, ws) => a + (ws.mtfsTargets[FY] ?? 0), 0);
    expect(report.programme).toMatchObject({ projectCount: PROJECTS, ...whole(read.summaries, target) });
    // The seed's savings are spread over every status bucket, and some are written out.
    expect(report.programme.benefitCount).toBeGreaterThan(0);
    expect(report.statusBuckets.writtenOut.count).toBeGreaterThan(0);

    expect(report.workstreams).toHaveLength(all.length);
    for (const ws of all) {
      const mine = read.summaries.filter((s) => s.workstreamId === ws.id);
      expect(mine.length).toBeGreaterThan(0);
      expect(report.workstreams.find((w: { id: string }) => w.id === ws.id)).toEqual({
        id: ws.id,
        code: ws.code,
        name: ws.name,
        projectCount: mine.length,
        ...whole(mine, ws.mtfsTargets[FY] ?? 0),
      });
    }
    for (const c of BenefitCategory.options) {
      expect(report.byCategory[c]).toEqual({ ...whole(read.summaries, null, (b) => b.category === c), mtfsTargetPence: null });
    }
    for (const k of BenefitType.options) expect(report.byType[k]).toEqual(whole(read.summaries, null, (b) => b.type === k, 'all'));
    const benefits = read.summaries.flatMap((s) => s.benefits);
    expect(report.statusBuckets).toEqual(statusBuckets(benefits, FY, asAt, DEFAULT_THRESHOLDS, benefits, read.periods));
  });

  it('reads a page while the one before is worked on, never further ahead, and in as many requests as the whole read', async () => {
    h.counter.reset();
    const { pages } = await h.store.summaries.programmePages(FY);
    const sizes: number[] = [];
    const readWhenGiven: number[] = [];
    for await (const page of pages) {
      sizes.push(page.summaries.length);
      readWhenGiven.push(h.counter.byCommand.get('BatchGetItemCommand') ?? 0);
    }
    expect(sizes).toEqual([200, 200, 50]);
    // 50 projects a request (their summaries and FY items): 4 for a page, and the period state and settings with the first.
    expect(readWhenGiven.at(-1)).toBe(10);
    // When the first page is given, at most the second has been asked for too (5 + 4 requests), not the third.
    expect(readWhenGiven[0]).toBeGreaterThanOrEqual(5);
    expect(readWhenGiven[0]).toBeLessThanOrEqual(9);
    // The report: the projects' ids, the workstreams, and the same 10 reads by key.
    h.counter.reset();
    await h.call('GET', `/v1/reports/programme?financialYear=${FY}`, { token: h.tokens.cmt });
    expect(h.counter.byCommand.get('BatchGetItemCommand')).toBe(10);

    // As at a past moment: the ids, the period state and settings (one read by key), then each project's history; never the summaries.
    h.counter.reset();
    const past = await h.call('GET', `/v1/reports/programme?financialYear=${FY}&asAt=2025-06-30`, { token: h.tokens.cmt });
    expect(past.status).toBe(200);
    expect(Object.fromEntries(h.counter.byCommand)).toEqual({ BatchGetItemCommand: 1, QueryCommand: 2 + PROJECTS });
  });
});

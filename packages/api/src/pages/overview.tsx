import { formatPercent, fyOfDate, nextFy, previousFy, type Principal } from '@bt/core';
import * as svc from '@bt/services';
import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { AsAtControl, BarChart, Layout, money, RagTag, short, Table } from './layout.tsx';
import type { PageContext } from './context.ts';

/** The FYs the overview links to: from the programme's first year (or three years back) to the year after the current one, and the one shown. */
function programmeYears(first: string | undefined, current: string, shown: string): string[] {
  const from = [first ?? previousFy(previousFy(previousFy(current))), shown].sort()[0]!;
  const to = [nextFy(current), shown].sort().at(-1)!;
  const years: string[] = [];
  for (let y = from; y <= to && years.length < 30; y = nextFy(y)) years.push(y);
  return years;
}

/** The programme overview: the figures of an FY, by workstream, the status of savings, and the digests over time. */
export async function overviewPage({ deps, today, fyFrom, asAtFrom }: PageContext, c: Context<AppEnv>, caller: svc.Caller, who: Principal): Promise<Response> {
  const fy = fyFrom(c);
  const asAt = asAtFrom(c);
  const report = await svc.programmeReport(deps, caller, { financialYear: fy, asAt });
  const digests = (await svc.listDigests(deps, caller, { limit: 12 })).items.filter((d) => d.status === 'sent').reverse();
  const p = report.programme;
  const b = report.statusBuckets;
  return c.html(
    <Layout title={`Programme ${fy}`} user={who.name}>
      <span class="govuk-caption-l">Programme overview as at {report.asAt}</span>
      <h1 class="govuk-heading-l">Transformation programme {fy}</h1>
      <AsAtControl action="/" financialYear={fy} asAt={asAt} knownAt={report.knownAt} />
      {/* No `download` attribute: the workbook comes as an attachment (saved, and this page stays), and a large programme's pack may answer with a page saying it is being prepared, which must be shown, not saved. */}
      <p class="govuk-body">
        <a
          class="govuk-button govuk-button--secondary"
          href={`/reports/monitoring-pack?financialYear=${encodeURIComponent(fy)}${asAt ? `&asAt=${encodeURIComponent(asAt)}` : ''}`}
          data-testid="monitoring-pack"
        >
          Download the monthly monitoring pack (Excel)
        </a>
      </p>
      <nav aria-label="Financial years">
        <p class="govuk-body">
          {/* Each year of the programme (from its target's first year, or the last three), and the next. */}
          {programmeYears(report.programme.programmeTarget?.fromFinancialYear, fyOfDate(today()), fy).map((y, i) => (
            <>
              {i > 0 ? ' · ' : ''}
              {y === fy ? (
                <strong aria-current="page">{y}</strong>
              ) : (
                <a class="govuk-link" href={`/?financialYear=${encodeURIComponent(y)}`}>
                  {y}
                </a>
              )}
            </>
          ))}
        </p>
      </nav>
      <h2 class="govuk-heading-m">Headline figures</h2>
      <dl class="govuk-summary-list" data-testid="headline">
        {(
          [
            ['MTFS target', p.mtfsTargetPence],
            ['Agreed baseline (plan)', p.baselinePence],
            ['Forecast', p.forecastPence],
            ['Forecast outturn', p.outturnPence],
            ['Risk-adjusted outturn', p.riskAdjustedOutturnPence],
            ['Realised to date', p.realisedPence],
            ['Gap to MTFS target', p.gapPence],
            ['Risk-adjusted gap', p.riskAdjustedGapPence],
            ['Unidentified savings', p.unidentifiedPence],
            ['Pipeline (not yet approved)', p.pipelinePence],
            ['One-off fall-out', p.oneOffFalloutPence],
            ['Net revenue budget', report.programme.netBudgetPence],
          ] as const
        ).map(([label, value]) => (
          <div class="govuk-summary-list__row">
            <dt class="govuk-summary-list__key">{label}</dt>
            <dd class="govuk-summary-list__value bt-num" data-figure={label}>
              {money(value)}
            </dd>
          </div>
        ))}
        <div class="govuk-summary-list__row">
          <dt class="govuk-summary-list__key">Delivery rate</dt>
          <dd class="govuk-summary-list__value bt-num">{p.deliveryRate === null ? '–' : formatPercent(p.deliveryRate)}</dd>
        </div>
        <div class="govuk-summary-list__row">
          <dt class="govuk-summary-list__key">Outturn as a share of the net budget</dt>
          <dd class="govuk-summary-list__value bt-num">
            {report.programme.shareOfNetBudget === null ? '–' : formatPercent(report.programme.shareOfNetBudget, 2)}
          </dd>
        </div>
        <div class="govuk-summary-list__row">
          <dt class="govuk-summary-list__key">RAG: delivery / MTFS</dt>
          <dd class="govuk-summary-list__value">
            <RagTag rag={p.rag} /> <RagTag rag={p.mtfsRag} />
          </dd>
        </div>
      </dl>
      {report.programme.programmeTarget ? (
        <p class="govuk-body">
          The programme's target is {money(report.programme.programmeTarget.targetPence)} over {report.programme.programmeTarget.fromFinancialYear} to{' '}
          {report.programme.programmeTarget.toFinancialYear}.
        </p>
      ) : null}
      <h2 class="govuk-heading-m">By workstream</h2>
      <BarChart
        id="ws-chart"
        title={`MTFS target, baseline, forecast and realised by workstream, ${fy}`}
        series={['Target', 'Baseline', 'Forecast', 'Realised']}
        groups={report.workstreams.map((w) => ({ label: w.name, values: [w.mtfsTargetPence ?? 0, w.baselinePence, w.forecastPence, w.realisedPence] }))}
      />
      <Table
        caption={`Workstreams, ${fy}`}
        columns={[
          'Workstream',
          { label: 'Target', num: true },
          { label: 'Baseline', num: true },
          { label: 'Outturn', num: true },
          { label: 'Realised', num: true },
          { label: 'Gap', num: true },
          'Delivery',
          'MTFS',
        ]}
        rows={report.workstreams.map((w) => [
          <a class="govuk-link" href={`/workstreams/${w.id}?financialYear=${encodeURIComponent(fy)}`}>
            {w.name}
          </a>,
          short(w.mtfsTargetPence ?? 0),
          short(w.baselinePence),
          short(w.outturnPence),
          short(w.realisedPence),
          short(w.gapPence ?? 0),
          <RagTag rag={w.rag} />,
          <RagTag rag={w.mtfsRag} />,
        ])}
      />
      <h2 class="govuk-heading-m">Status of savings</h2>
      <Table
        caption={`Savings by status, baseline ${fy}`}
        columns={['Status', { label: 'Savings', num: true }, { label: 'Baseline', num: true }, { label: 'Outturn', num: true }]}
        rows={[
          ...(
            [
              ['Delivered', b.delivered],
              ['Green (on track)', b.green],
              ['Amber (at risk)', b.amber],
              ['Red (needs replacing)', b.red],
              ['Written out', b.writtenOut],
            ] as const
          ).map(([label, bucket]) => [label, bucket.count, short(bucket.baselinePence), short(bucket.forecastPence)]),
          [
            'Replacements for written-out savings',
            b.writtenOut.replacementCount,
            short(b.writtenOut.replacementBaselinePence),
            short(b.writtenOut.replacementForecastPence),
          ],
        ]}
      />
      <h2 class="govuk-heading-m">Forecast over time</h2>
      {digests.length === 0 ? (
        <p class="govuk-body">The trend appears once digests have been sent.</p>
      ) : (
        <Table
          caption="Headline figures in each digest sent"
          columns={['Digest', 'Year', { label: 'Realised to date', num: true }, { label: 'Outturn', num: true }, { label: 'Gap', num: true }]}
          rows={digests.map((d) => {
            const h = d.headline as { forecastPence: number; outturnPence?: number; realisedPence?: number; gapPence: number } | null;
            return [
              (d.sentAt ?? d.createdAt).slice(0, 10),
              d.financialYear,
              h?.realisedPence !== undefined ? short(h.realisedPence) : '–',
              h ? short(h.outturnPence ?? h.forecastPence) : '–',
              h ? short(h.gapPence) : '–',
            ];
          })}
        />
      )}
    </Layout>,
  );
}

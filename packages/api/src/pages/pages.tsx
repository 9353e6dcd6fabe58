import {
  NotFoundError,
  AlertRule,
  can,
  formatPercent,
  FinancialYear,
  fyOfDate,
  monthsOfFy,
  nextFy,
  PayloadTooLargeError,
  previousFy,
  riskBand,
  Severity,
  todayInLondon,
  type Principal,
} from '@bt/core';
import * as svc from '@bt/services';
import { Hono, type Context } from 'hono';
import * as z from 'zod';
import { serveStatic } from '@hono/node-server/serve-static';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from '../env.ts';
import { logger } from '@bt/services';
import { knownError } from '../problem.ts';
import { BarChart, Layout, money, RagTag, short, Table } from './layout.tsx';
import type { PageLogin } from './login.tsx';
import { PAGE_CSP, PAGE_PATHS } from './paths.ts';
import { csrf } from 'hono/csrf';

export { PAGE_CSP };

export interface PagesConfig {
  /** How people sign in: a pasted token locally, the issuer's hosted login in AWS. */
  login: PageLogin;
  /** GOV.UK Frontend's `dist/govuk` folder (stylesheet, fonts, images), served at /assets. */
  assetsDir: string;
}

/**
 * Read-only pages over the same use cases as the API: programme overview,
 * workstream, project and alerts. Signed in with the same tokens, kept in an
 * HttpOnly cookie: locally a sign-in page takes a token; in AWS the issuer's
 * hosted login (see login.tsx).
 */
/** The FYs the overview links to: from the programme's first year (or three years back) to the year after the current one, and the one shown. */
function programmeYears(first: string | undefined, current: string, shown: string): string[] {
  const from = [first ?? previousFy(previousFy(previousFy(current))), shown].sort()[0]!;
  const to = [nextFy(current), shown].sort().at(-1)!;
  const years: string[] = [];
  for (let y = from; y <= to && years.length < 30; y = nextFy(y)) years.push(y);
  return years;
}

export function pageRoutes(deps: svc.Deps, config: PagesConfig) {
  const pages = new Hono<AppEnv>();

  // On the pages' own paths only: mounted at '/', a path-less middleware would run for the whole app (and override /docs' policy).
  for (const path of PAGE_PATHS) {
    pages.use(path, async (c, next) => {
      await next();
      c.res.headers.set('Content-Security-Policy', PAGE_CSP);
    });
    // A form posted from another site (login CSRF, or any page form) is refused: the browser's Origin / Sec-Fetch-Site must say this site.
    pages.use(path, csrf());
  }
  // GOV.UK Frontend's stylesheet, fonts and images, from the package (no CDN); they change only with a release.
  pages.use('/assets/*', async (c, next) => {
    await next();
    if (c.res.status === 200) c.res.headers.set('Cache-Control', 'public, max-age=86400');
  });
  pages.use(
    '/assets/*',
    serveStatic({ root: config.assetsDir, rewriteRequestPath: (p) => (p === '/assets/govuk-frontend.min.css' ? '/govuk-frontend.min.css' : p) }),
  );
  config.login.routes(pages);

  // A page's errors are pages too: the same problems as the API, for a person to read.
  pages.onError((error, c) => {
    const known = knownError(error, c);
    if (!known) logger.error('unhandled error', { requestId: c.get('requestId'), path: c.req.path, error });
    const status = (known?.status ?? 500) as ContentfulStatusCode;
    if (known instanceof PayloadTooLargeError) c.header('Connection', 'close');
    return c.html(
      <Layout title={known?.title ?? 'Something went wrong'}>
        <h1 class="govuk-heading-l">{known?.title ?? 'Sorry, something went wrong'}</h1>
        <p class="govuk-body">{known?.message ?? 'It has been logged. Try again later.'}</p>
        <p class="govuk-body-s">
          Request id: <code>{c.get('requestId')}</code> (quote it if you report this).
        </p>
        <p class="govuk-body">
          <a class="govuk-link" href="/">
            Go to the programme overview
          </a>{' '}
          or{' '}
          <a class="govuk-link" href="/sign-out">
            sign in as someone else
          </a>
          .
        </p>
      </Layout>,
      status,
    );
  });

  const page = (handler: (c: Context<AppEnv>, caller: svc.Caller, who: Principal) => Promise<Response>) => async (c: Context<AppEnv>) => {
    const principal = await config.login.principal(c);
    if (!principal) return c.redirect(`/sign-in?next=${encodeURIComponent(c.req.path)}`, 303);
    return handler(c, { principal, requestId: c.get('requestId') }, principal);
  };
  const today = () => todayInLondon(deps.clock());
  const fyFrom = (c: Context<AppEnv>) => {
    const fy = c.req.query('financialYear');
    return fy && FinancialYear.safeParse(fy).success ? fy : fyOfDate(today());
  };

  pages.get(
    '/',
    page(async (c, caller, who) => {
      const fy = fyFrom(c);
      const report = await svc.programmeReport(deps, caller, { financialYear: fy, asAt: today() });
      const digests = (await svc.listDigests(deps, caller, { limit: 12 })).items.filter((d) => d.status === 'sent').reverse();
      const p = report.programme;
      const b = report.statusBuckets;
      return c.html(
        <Layout title={`Programme ${fy}`} user={who.name}>
          <span class="govuk-caption-l">Programme overview as at {report.asAt}</span>
          <h1 class="govuk-heading-l">Transformation programme {fy}</h1>
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
    }),
  );

  pages.get(
    '/workstreams/:id',
    page(async (c, caller, who) => {
      const fy = fyFrom(c);
      const view = await svc.workstreamReport(deps, caller, c.req.param('id') ?? '', { financialYear: fy, asAt: today() }).catch((error: unknown) => {
        if (error instanceof NotFoundError) return null;
        throw error;
      });
      if (!view)
        return c.html(
          <Layout title="Not found" user={who.name}>
            <h1 class="govuk-heading-l">Workstream not found</h1>
          </Layout>,
          404,
        );
      const ws = view.workstream;
      const figures = view.projects.map(({ project: p, figures: f }) => ({ p, f }));
      return c.html(
        <Layout title={ws.name} user={who.name}>
          <span class="govuk-caption-l">Workstream · {fy}</span>
          <h1 class="govuk-heading-l">{ws.name}</h1>
          <dl class="govuk-summary-list">
            {(
              [
                ['MTFS target', ws.mtfsTargetPence],
                ['Baseline', ws.baselinePence],
                ['Forecast', ws.forecastPence],
                ['Realised to date', ws.realisedPence],
                ['Gap', ws.gapPence],
              ] as const
            ).map(([label, v]) => (
              <div class="govuk-summary-list__row">
                <dt class="govuk-summary-list__key">{label}</dt>
                <dd class="govuk-summary-list__value bt-num" data-figure={label}>
                  {money(v)}
                </dd>
              </div>
            ))}
          </dl>
          <Table
            caption={`Projects, ${fy}`}
            columns={['Project', 'Stage', 'Confidence', { label: 'Baseline', num: true }, { label: 'Forecast', num: true }, 'RAG']}
            rows={figures.map(({ p, f }) => [
              <a class="govuk-link" href={`/projects/${p.id}?financialYear=${encodeURIComponent(fy)}`}>
                {p.code} {p.name}
              </a>,
              p.stage,
              p.deliveryConfidence,
              short(f?.baselinePence ?? 0),
              short(f?.forecastPence ?? 0),
              <RagTag rag={f?.rag ?? null} />,
            ])}
          />
        </Layout>,
      );
    }),
  );

  pages.get(
    '/projects/:id',
    page(async (c, caller, who) => {
      const fy = fyFrom(c);
      const id = c.req.param('id') ?? '';
      if (!/^prj_[0-9A-HJKMNP-TV-Z]{26}$/.test(id))
        return c.html(
          <Layout title="Not found" user={who.name}>
            <h1 class="govuk-heading-l">Project not found</h1>
          </Layout>,
          404,
        );
      const record = await svc.getProjectRecord(deps, caller, id);
      const figures = await svc.projectFigures(deps, record, today());
      const f = figures.byYear[fy];
      // CMT reads reports, not the audit trail (see the role table).
      const audit = can(who, 'audit:read') ? (await svc.listAudit(deps, caller, { projectId: id }, { limit: 200 })).items.slice(-25).reverse() : null;
      const months = monthsOfFy(fy);
      const grid = [5, 4, 3, 2, 1].map((likelihood) =>
        [1, 2, 3, 4, 5].map((impact) => record.risks.filter((r) => r.status === 'open' && r.likelihood === likelihood && r.impact === impact)),
      );
      const HEAT: Record<string, string> = { low: '#cce2d8', medium: '#fff7bf', high: '#fcd6c3', critical: '#f4cdc6' };
      const { project } = record;
      return c.html(
        <Layout title={project.name} user={who.name}>
          <span class="govuk-caption-l">
            {project.code} · {project.directorate} · {fy}
          </span>
          <h1 class="govuk-heading-l">{project.name}</h1>
          <dl class="govuk-summary-list">
            <div class="govuk-summary-list__row">
              <dt class="govuk-summary-list__key">Stage</dt>
              <dd class="govuk-summary-list__value">{project.stage}</dd>
            </div>
            <div class="govuk-summary-list__row">
              <dt class="govuk-summary-list__key">Delivery confidence</dt>
              <dd class="govuk-summary-list__value">{project.deliveryConfidence}</dd>
            </div>
            <div class="govuk-summary-list__row">
              <dt class="govuk-summary-list__key">SRO</dt>
              <dd class="govuk-summary-list__value">{project.sro}</dd>
            </div>
            {(
              [
                ['Baseline', f?.baselinePence],
                ['Forecast', f?.forecastPence],
                ['Realised to date', f?.realisedPence],
                ['Investment planned', f?.investmentPlannedPence],
                ['Investment spent', f?.investmentActualPence],
              ] as const
            ).map(([label, v]) => (
              <div class="govuk-summary-list__row">
                <dt class="govuk-summary-list__key">
                  {label} {fy}
                </dt>
                <dd class="govuk-summary-list__value bt-num" data-figure={label}>
                  {money(v ?? 0)}
                </dd>
              </div>
            ))}
            <div class="govuk-summary-list__row">
              <dt class="govuk-summary-list__key">Payback year</dt>
              <dd class="govuk-summary-list__value" data-figure="Payback">
                {figures.paybackFinancialYear ?? 'Not within 30 years'}
              </dd>
            </div>
            <div class="govuk-summary-list__row">
              <dt class="govuk-summary-list__key">
                NPV ({figures.horizon[0]}–{figures.horizon.at(-1)}, 3.5%)
              </dt>
              <dd class="govuk-summary-list__value bt-num" data-figure="NPV">
                {money(figures.npvPence)}
              </dd>
            </div>
            <div class="govuk-summary-list__row">
              <dt class="govuk-summary-list__key">ROI</dt>
              <dd class="govuk-summary-list__value bt-num">{figures.roi === null ? '–' : formatPercent(figures.roi, 0)}</dd>
            </div>
          </dl>
          <h2 class="govuk-heading-m">Benefits</h2>
          {record.benefits.map((b) => (
            <section class="govuk-!-margin-bottom-6">
              <h3 class="govuk-heading-s">
                {b.title}{' '}
                <span class="govuk-body-s">
                  ({b.category}, {b.type}, {b.recurrence}
                  {b.status !== 'active' ? `, ${b.status}` : ''})
                </span>
              </h3>
              <BarChart
                id={`chart-${b.id}`}
                title={`${b.title}: monthly baseline, forecast and realised, ${fy}`}
                series={['Baseline', 'Forecast', 'Realised']}
                groups={months.map((m) => ({ label: m, values: [b.baseline[m] ?? 0, b.forecast[m] ?? 0, b.realised[m] ?? 0] }))}
              />
              <details class="govuk-details">
                <summary class="govuk-details__summary">
                  <span class="govuk-details__summary-text">Monthly figures</span>
                </summary>
                <div class="govuk-details__text">
                  <Table
                    caption={`${b.title}, by month`}
                    columns={['Month', { label: 'Baseline', num: true }, { label: 'Forecast', num: true }, { label: 'Realised', num: true }]}
                    rows={months.map((m) => [m, money(b.baseline[m] ?? 0), money(b.forecast[m] ?? 0), money(b.realised[m] ?? 0)])}
                  />
                </div>
              </details>
            </section>
          ))}
          <h2 class="govuk-heading-m">Investment</h2>
          <Table
            caption="Investment lines"
            columns={['Line', 'Kind', 'Funding', { label: 'Planned (all years)', num: true }, { label: 'Spent (all years)', num: true }]}
            rows={record.investments.map((i) => [
              i.title,
              i.kind,
              i.fundingSource,
              money(Object.values(i.planned).reduce((a, v) => a + v, 0)),
              money(Object.values(i.actual).reduce((a, v) => a + v, 0)),
            ])}
          />
          <h2 class="govuk-heading-m">Risks</h2>
          <table class="govuk-table bt-heat">
            <caption class="govuk-table__caption govuk-table__caption--s">Open risks by likelihood (rows) and impact (columns)</caption>
            <thead class="govuk-table__head">
              <tr class="govuk-table__row">
                <th scope="col" class="govuk-table__header">
                  Likelihood \\ impact
                </th>
                {[1, 2, 3, 4, 5].map((i) => (
                  <th scope="col" class="govuk-table__header">
                    {i}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody class="govuk-table__body">
              {grid.map((row, ri) => (
                <tr class="govuk-table__row">
                  <th scope="row" class="govuk-table__header">
                    {5 - ri}
                  </th>
                  {row.map((cell, ci) => (
                    <td class="govuk-table__cell" style={`background-color:${HEAT[riskBand((5 - ri) * (ci + 1))]}`}>
                      {cell.length ? cell.length : ''}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <Table
            caption="Risk register"
            columns={['Risk', 'Owner', { label: 'Score', num: true }, 'Band', 'Status']}
            rows={record.risks.map((r) => [r.title, r.owner, r.score, r.band, r.status])}
          />
          <h2 class="govuk-heading-m">Milestones</h2>
          <Table
            caption="Milestones"
            columns={['Milestone', 'Due', 'Completed']}
            rows={record.milestones.map((m) => [
              m.title,
              m.dueDate,
              m.completedDate ?? (m.dueDate < today() ? <strong class="govuk-tag govuk-tag--red">Overdue</strong> : 'Not yet'),
            ])}
          />
          <h2 class="govuk-heading-m">Audit trail</h2>
          {audit === null ? (
            <p class="govuk-body">Your role does not include the audit trail.</p>
          ) : (
            <Table
              caption="The latest changes, newest first"
              columns={['When', 'Who', 'What']}
              rows={audit.map((e) => [
                e.at.slice(0, 16).replace('T', ' '),
                e.actor.name,
                `${e.entityType} ${e.action}${e.changes.length ? ` (${e.changes.join(', ')})` : ''}`,
              ])}
            />
          )}
        </Layout>,
      );
    }),
  );

  const AlertQuery = z.object({
    status: z.enum(['open', 'acknowledged', 'resolved']).optional().catch(undefined),
    severity: Severity.optional().catch(undefined),
    rule: AlertRule.optional().catch(undefined),
  });
  pages.get(
    '/alerts',
    page(async (c, caller, who) => {
      const q = AlertQuery.parse(c.req.query());
      const alerts = (await svc.listAlerts(deps, caller, q, { limit: 200 })).items;
      const select = (name: string, label: string, options: readonly string[], value: string | undefined) => (
        <div class="govuk-form-group govuk-!-display-inline-block govuk-!-margin-right-4">
          <label class="govuk-label" for={name}>
            {label}
          </label>
          <select class="govuk-select" id={name} name={name}>
            <option value="">Any</option>
            {options.map((o) => (
              <option value={o} selected={o === value}>
                {o}
              </option>
            ))}
          </select>
        </div>
      );
      return c.html(
        <Layout title="Alerts" user={who.name}>
          <h1 class="govuk-heading-l">Benefits-realisation alerts</h1>
          <form method="get" action="/alerts">
            {select('status', 'Status', ['open', 'acknowledged', 'resolved'], q.status)}
            {select('severity', 'Severity', Severity.options, q.severity)}
            {select('rule', 'Rule', AlertRule.options, q.rule)}
            <button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button">
              Filter
            </button>
          </form>
          <table class="govuk-table" data-testid="alerts">
            <caption class="govuk-table__caption govuk-table__caption--s">
              {alerts.length} alert{alerts.length === 1 ? '' : 's'}
            </caption>
            <thead class="govuk-table__head">
              <tr class="govuk-table__row">
                <th scope="col" class="govuk-table__header">
                  Severity
                </th>
                <th scope="col" class="govuk-table__header">
                  Alert
                </th>
                <th scope="col" class="govuk-table__header">
                  Status
                </th>
                <th scope="col" class="govuk-table__header">
                  First raised
                </th>
              </tr>
            </thead>
            <tbody class="govuk-table__body">
              {alerts.map((a) => (
                <tr class="govuk-table__row">
                  <td class="govuk-table__cell">
                    <strong
                      class={`govuk-tag ${a.severity === 'critical' ? 'govuk-tag--red' : a.severity === 'warning' ? 'govuk-tag--orange' : 'govuk-tag--grey'}`}
                    >
                      {a.severity}
                    </strong>
                  </td>
                  <td class="govuk-table__cell">{a.message}</td>
                  <td class="govuk-table__cell">{a.status}</td>
                  <td class="govuk-table__cell">{a.firstRaisedAt.slice(0, 10)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Layout>,
      );
    }),
  );

  return pages;
}

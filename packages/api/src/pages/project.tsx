import { can, formatPercent, monthsOfFy, riskBand, type Principal } from '@bt/core';
import * as svc from '@bt/services';
import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { AsAtControl, BarChart, Layout, money, Saved, Table } from './layout.tsx';
import type { PageContext } from './context.ts';

/** A project: its figures, savings by month, investment, risks, milestones and (for roles that may read it) its audit trail. */
export async function projectPage({ deps, today, fyFrom, asAtFrom }: PageContext, c: Context<AppEnv>, caller: svc.Caller, who: Principal): Promise<Response> {
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
  // Its pending change requests, and each saving's actuals ledger (one Query each) with evidence, validation and queries.
  const [pending, ledgers] = await Promise.all([
    svc.listChanges(deps, caller, { projectId: id, status: 'pending' }, { limit: 50 }),
    Promise.all(record.benefits.map(async (b) => [b.id, (await svc.listActuals(deps, caller, id, b.id, { limit: 200 })).items] as const)),
  ]);
  const ledgerOf = new Map(ledgers);
  const titleOf = new Map(record.benefits.map((b) => [b.id, b.title]));
  const asAt = asAtFrom(c);
  const figures = await svc.projectFigures(deps, record, svc.momentOfRequest(deps, asAt));
  const f = figures.byYear[fy];
  // CMT reads reports, not the audit trail (see the role table).
  const audit = can(who, 'audit:read') ? (await svc.listAudit(deps, caller, { projectId: id }, { limit: 200 })).items.slice(-25).reverse() : null;
  const months = monthsOfFy(fy);
  const grid = [5, 4, 3, 2, 1].map((likelihood) =>
    [1, 2, 3, 4, 5].map((impact) => record.risks.filter((r) => r.status === 'open' && r.likelihood === likelihood && r.impact === impact)),
  );
  const HEAT: Record<string, string> = { low: '#cce2d8', medium: '#fff7bf', high: '#fcd6c3', critical: '#f4cdc6' };
  const { project } = record;
  // Payback is null both with nothing invested and when none comes within 30 years: say which. The NPV is at the rate set (DISCOUNT_RATE_BP).
  const invested = record.investments.some((i) => Object.values(i.planned).some((p) => p > 0));
  const { discountRateBp } = svc.thresholdsOf(deps);
  const mayReturn = who.roles.includes('admin') || (who.roles.includes('programme-manager') && project.manager === who.sub);
  return c.html(
    <Layout title={project.name} user={who.name}>
      <span class="govuk-caption-l">
        {project.code} · {project.directorate} · {fy}
      </span>
      <h1 class="govuk-heading-l">{project.name}</h1>
      {c.req.query('returned') ? <Saved testId="returned">Monthly return submitted.</Saved> : null}
      {mayReturn ? (
        <p class="govuk-body">
          <a
            class="govuk-button govuk-button--secondary"
            href={`/projects/${project.id}/return?financialYear=${encodeURIComponent(fy)}`}
            data-testid="return-link"
          >
            Fill in the monthly return
          </a>
          {project.lastReturnAt ? ` Last submitted by ${project.lastReturnBy} on ${project.lastReturnAt.slice(0, 10)}.` : ' Not submitted yet.'}
        </p>
      ) : null}
      <AsAtControl action={`/projects/${project.id}`} financialYear={fy} asAt={asAt} knownAt={figures.knownAt} />
      <nav aria-label="Financial years of the project">
        <p class="govuk-body">
          {Object.keys(figures.byYear).map((y, i) => (
            <>
              {i > 0 ? ' · ' : ''}
              {y === fy ? (
                <strong aria-current="page">{y}</strong>
              ) : (
                <a class="govuk-link" href={`/projects/${project.id}?financialYear=${encodeURIComponent(y)}`}>
                  {y}
                </a>
              )}
            </>
          ))}
        </p>
      </nav>
      {pending.items.length ? (
        <Table
          caption="Change requests awaiting finance"
          testId="pending-changes"
          columns={['Requested', 'Change', 'Saving', 'Reason', 'By']}
          rows={pending.items.map((r) => [
            r.requestedAt.slice(0, 10),
            <a class="govuk-link" href="/changes">
              {r.kind}
            </a>,
            r.benefitId ? (titleOf.get(r.benefitId) ?? r.benefitId) : 'the project',
            r.reason,
            r.requestedBy,
          ])}
        />
      ) : null}
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
          <dt class="govuk-summary-list__key">Commentary</dt>
          <dd class="govuk-summary-list__value" data-testid="commentary">
            {project.commentary ? (
              <>
                {project.commentary}
                <span class="govuk-body-s">
                  {' '}
                  ({project.commentaryUpdatedBy}, {project.commentaryUpdatedAt?.slice(0, 10)})
                </span>
              </>
            ) : (
              'None'
            )}
          </dd>
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
            {figures.paybackFinancialYear ?? (invested ? 'Not within 30 years' : 'No investment to pay back')}
          </dd>
        </div>
        <div class="govuk-summary-list__row">
          <dt class="govuk-summary-list__key">
            NPV ({figures.horizon[0]}–{figures.horizon.at(-1)}, {discountRateBp / 100}%)
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
          {b.replacesBenefitId || b.replacedByBenefitIds.length ? (
            <p class="govuk-body-s" data-testid={`lineage-${b.id}`}>
              {b.replacesBenefitId ? <>Replaces {titleOf.get(b.replacesBenefitId) ?? b.replacesBenefitId}. </> : null}
              {b.replacedByBenefitIds.length ? <>Replaced by {b.replacedByBenefitIds.map((r) => titleOf.get(r) ?? r).join(', ')}.</> : null}
            </p>
          ) : null}
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
          <details class="govuk-details">
            <summary class="govuk-details__summary">
              <span class="govuk-details__summary-text">Actuals ledger ({(ledgerOf.get(b.id) ?? []).length})</span>
            </summary>
            <div class="govuk-details__text">
              <Table
                caption={`${b.title}: actuals with their evidence and validation`}
                columns={['Month', { label: 'Amount', num: true }, 'Evidence', 'Recorded', 'Validated', 'Query']}
                rows={(ledgerOf.get(b.id) ?? []).map((e) => [
                  e.month,
                  money(e.amountPence),
                  `${e.note}${e.reverses ? ` (reverses ${e.reverses})` : ''}${e.reversedBy ? ' (reversed)' : ''}`,
                  `${e.recordedBy}, ${e.recordedAt.slice(0, 10)}`,
                  e.validatedAt ? `${e.validatedBy}, ${e.validatedAt.slice(0, 10)}` : 'Awaiting finance',
                  e.query ? `${e.query.note}${e.query.answer ? ` — ${e.query.answer}` : ''}` : '',
                ])}
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
}

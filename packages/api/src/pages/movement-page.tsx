import { lazySchema } from '@bt/core';
import { AsAt, FinancialYear, UnprocessableError, type Principal } from '@bt/core';
import * as svc from '@bt/services';
import type { Context } from 'hono';
import * as z from 'zod';
import type { AppEnv } from '../env.ts';
import { Layout, money, Table } from './layout.tsx';
import type { PageContext } from './context.ts';

const MovementQuery = lazySchema(() =>
  z.object({
    from: AsAt.optional().catch(undefined),
    to: AsAt.optional().catch(undefined),
    financialYear: FinancialYear.optional().catch(undefined),
  }),
);

/** A signed change in pounds: "+£1,000.00", "−£250.00", "no change". */
const change = (pence: number) => (pence === 0 ? 'no change' : `${pence > 0 ? '+' : '−'}${money(Math.abs(pence))}`);

/**
 * What changed between two moments (default: the last four weeks): the
 * programme's, each workstream's and each project's agreed baseline,
 * outturn, realised and risk-adjusted outturn then and now, and the changes
 * that caused it with who and when.
 */
export async function movementPage({ deps, today }: PageContext, c: Context<AppEnv>, caller: svc.Caller, who: Principal): Promise<Response> {
  const q = MovementQuery.parse(c.req.query());
  const from = q.from ?? new Date(Date.parse(`${today()}T12:00:00Z`) - 28 * 86_400_000).toISOString().slice(0, 10);
  const movement = await svc.programmeMovement(deps, caller, { from, to: q.to, financialYear: q.financialYear }).catch((error: unknown) => {
    if (error instanceof UnprocessableError) return error;
    throw error;
  });
  const form = (
    <form method="get" action="/movement" data-testid="movement-form">
      {q.financialYear ? <input type="hidden" name="financialYear" value={q.financialYear} /> : null}
      <div class="govuk-form-group govuk-!-display-inline-block govuk-!-margin-right-4">
        <label class="govuk-label" for="from">
          From
        </label>
        <input class="govuk-input govuk-input--width-10" id="from" name="from" type="date" value={from.slice(0, 10)} />
      </div>
      <div class="govuk-form-group govuk-!-display-inline-block govuk-!-margin-right-4">
        <label class="govuk-label" for="to">
          To (blank for now)
        </label>
        <input class="govuk-input govuk-input--width-10" id="to" name="to" type="date" value={q.to?.slice(0, 10) ?? ''} />
      </div>
      <button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button">
        Show movement
      </button>
    </form>
  );
  if (movement instanceof UnprocessableError) {
    return c.html(
      <Layout title="Movement" user={who.name}>
        <h1 class="govuk-heading-l">Movement</h1>
        <div class="govuk-error-summary" data-module="govuk-error-summary">
          <div role="alert">
            <h2 class="govuk-error-summary__title">There is a problem</h2>
            <div class="govuk-error-summary__body">
              <p class="govuk-body">{movement.message}</p>
            </div>
          </div>
        </div>
        {form}
      </Layout>,
      422,
    );
  }
  const p = movement.programme;
  const rows = [
    ['Agreed baseline', p.before.baselinePence, p.after.baselinePence, p.change.baselinePence],
    ['Forecast outturn', p.before.outturnPence, p.after.outturnPence, p.change.outturnPence],
    ['Realised', p.before.realisedPence, p.after.realisedPence, p.change.realisedPence],
    ['Risk-adjusted outturn', p.before.riskAdjustedOutturnPence, p.after.riskAdjustedOutturnPence, p.change.riskAdjustedOutturnPence],
  ] as const;
  const when = (iso: string) => iso.replace('T', ' ').slice(0, 16);
  return c.html(
    <Layout title={`Movement ${movement.financialYear}`} user={who.name}>
      <span class="govuk-caption-l">
        {movement.financialYear} · from {when(movement.fromKnownAt)} to {when(movement.toKnownAt)} UTC
      </span>
      <h1 class="govuk-heading-l">What changed, and why</h1>
      {form}
      <Table
        caption="Programme"
        testId="movement-programme"
        columns={['Figure', { label: 'Then', num: true }, { label: 'Now', num: true }, { label: 'Change', num: true }]}
        rows={rows.map(([label, before, after, delta]) => [label, money(before), money(after), change(delta)])}
      />
      {movement.workstreams.map((ws) => (
        <>
          <h2 class="govuk-heading-m">
            <a class="govuk-link" href={`/workstreams/${ws.id}?financialYear=${encodeURIComponent(movement.financialYear)}`}>
              {ws.name}
            </a>
          </h2>
          <Table
            caption={`${ws.code}: change by project`}
            columns={[
              'Project',
              { label: 'Agreed', num: true },
              { label: 'Outturn', num: true },
              { label: 'Realised', num: true },
              { label: 'Risk-adjusted', num: true },
            ]}
            rows={[
              ...ws.projects.map((pr) => [
                <a class="govuk-link" href={`/projects/${pr.id}?financialYear=${encodeURIComponent(movement.financialYear)}`}>
                  {pr.code} {pr.name}
                </a>,
                change(pr.change.baselinePence),
                change(pr.change.outturnPence),
                change(pr.change.realisedPence),
                change(pr.change.riskAdjustedOutturnPence),
              ]),
              [
                <strong>Workstream</strong>,
                change(ws.change.baselinePence),
                change(ws.change.outturnPence),
                change(ws.change.realisedPence),
                change(ws.change.riskAdjustedOutturnPence),
              ],
            ]}
          />
          {ws.projects.some((pr) => pr.causes.length) ? (
            <details class="govuk-details">
              <summary class="govuk-details__summary">
                <span class="govuk-details__summary-text">The changes behind it ({ws.projects.reduce((a, pr) => a + pr.causes.length, 0)})</span>
              </summary>
              <div class="govuk-details__text">
                <Table
                  caption={`${ws.code}: changes recorded`}
                  columns={['When', 'Project', 'Change', 'Saving', { label: 'Amount', num: true }, 'By']}
                  rows={ws.projects.flatMap((pr) =>
                    pr.causes.map((cause) => [
                      when(cause.at),
                      pr.code,
                      cause.detail,
                      cause.benefitTitle ?? '',
                      cause.amountPence === null ? '' : change(cause.amountPence),
                      cause.by,
                    ]),
                  )}
                />
              </div>
            </details>
          ) : null}
        </>
      ))}
      {movement.periods.length ? (
        <Table caption="Periods closed or reopened" columns={['When', 'Change', 'By']} rows={movement.periods.map((pc) => [when(pc.at), pc.detail, pc.by])} />
      ) : null}
    </Layout>,
  );
}

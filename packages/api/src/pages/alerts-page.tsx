import { lazySchema } from '@bt/core';
import { AlertRule, Severity, type Principal } from '@bt/core';
import * as svc from '@bt/services';
import type { Context } from 'hono';
import * as z from 'zod';
import type { AppEnv } from '../env.ts';
import { Layout } from './layout.tsx';
import type { PageContext } from './context.ts';

const AlertQuery = lazySchema(() =>
  z.object({
    status: z.enum(['open', 'acknowledged', 'resolved']).optional().catch(undefined),
    severity: Severity.optional().catch(undefined),
    rule: AlertRule.optional().catch(undefined),
  }),
);

/** The alerts, filtered by status, severity and rule. */
export async function alertsPage({ deps }: PageContext, c: Context<AppEnv>, caller: svc.Caller, who: Principal): Promise<Response> {
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
}

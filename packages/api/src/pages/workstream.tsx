import { NotFoundError, type Principal } from '@bt/core';
import * as svc from '@bt/services';
import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { AsAtControl, Layout, money, RagTag, short, Table } from './layout.tsx';
import type { PageContext } from './context.ts';

/** A workstream: its figures and each project's, from the project summaries. */
export async function workstreamPage({ deps, fyFrom, asAtFrom }: PageContext, c: Context<AppEnv>, caller: svc.Caller, who: Principal): Promise<Response> {
  const fy = fyFrom(c);
  const view = await svc.workstreamReport(deps, caller, c.req.param('id') ?? '', { financialYear: fy, asAt: asAtFrom(c) }).catch((error: unknown) => {
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
  const figures = view.projects.map(({ project: p, figures: f, commentary }) => ({ p, f, commentary }));
  return c.html(
    <Layout title={ws.name} user={who.name}>
      <span class="govuk-caption-l">Workstream · {fy}</span>
      <h1 class="govuk-heading-l">{ws.name}</h1>
      <AsAtControl action={`/workstreams/${ws.id}`} financialYear={fy} asAt={asAtFrom(c)} knownAt={view.knownAt} />
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
        columns={['Project', 'Stage', 'Confidence', { label: 'Baseline', num: true }, { label: 'Forecast', num: true }, 'RAG', 'Commentary (amber and red)']}
        rows={figures.map(({ p, f, commentary }) => [
          <a class="govuk-link" href={`/projects/${p.id}?financialYear=${encodeURIComponent(fy)}`}>
            {p.code} {p.name}
          </a>,
          p.stage,
          p.deliveryConfidence,
          short(f?.baselinePence ?? 0),
          short(f?.forecastPence ?? 0),
          <RagTag rag={f?.rag ?? null} />,
          commentary ?? '',
        ])}
      />
    </Layout>,
  );
}

import { contextLine, formatPercent, formatPounds, formatPoundsShort, type DigestContent, type DigestHeadline, type Brag } from '@bt/core';
import type { Child } from 'hono/jsx';

/**
 * The digest as HTML that Outlook renders: table layout, inline styles, no
 * scripts, no external images or fonts, 600px wide and fluid on a phone. Bar
 * charts are table cells with widths, which every mail client keeps.
 */
const FONT = 'font-family:Arial,Helvetica,sans-serif;';
const TEXT = '#0b0c0c';
const MUTED = '#505a5f';
const RAG_COLOURS: Record<Brag, { bg: string; fg: string; label: string }> = {
  blue: { bg: '#1d70b8', fg: '#ffffff', label: 'Blue (delivered)' },
  green: { bg: '#00703c', fg: '#ffffff', label: 'Green' },
  amber: { bg: '#f47738', fg: '#0b0c0c', label: 'Amber' },
  red: { bg: '#d4351c', fg: '#ffffff', label: 'Red' },
};
const BAR_COLOURS = { target: '#505a5f', baseline: '#1d70b8', forecast: '#f47738', realised: '#00703c' } as const;

const HEADLINE_LABELS: [keyof DigestHeadline, string][] = [
  ['mtfsTargetPence', 'MTFS target'],
  ['baselinePence', 'Agreed baseline (plan)'],
  ['forecastPence', 'Forecast'],
  ['outturnPence', 'Forecast outturn (realised in closed months + forecast)'],
  ['realisedPence', 'Realised to date'],
  ['gapPence', 'Gap to MTFS target'],
  ['riskAdjustedGapPence', 'Risk-adjusted gap'],
];

export interface RenderOptions {
  /** Links each figure to the API (or pages) when set, e.g. https://tracker.example.gov.uk */
  baseUrl?: string | undefined;
  councilName?: string | undefined;
}

function Link(props: { href: string | undefined; children: Child }) {
  return props.href ? (
    <a href={props.href} style={`color:#1d70b8;text-decoration:underline;${FONT}`}>
      {props.children}
    </a>
  ) : (
    props.children
  );
}

function movement(value: number | null | undefined, key: keyof DigestHeadline): string {
  if (value === null || value === undefined) return '';
  if (value === 0) return 'no change';
  const up = value > 0;
  const amount = key === 'deliveryRate' ? `${formatPercent(Math.abs(value)).replace('%', '')} pts` : formatPoundsShort(Math.abs(value));
  return `${up ? '▲' : '▼'} ${amount}`;
}

function Badge(props: { rag: Brag | null; prefix: string }) {
  if (!props.rag) return <div style={`${FONT}font-size:12px;color:${MUTED};`}>{props.prefix} –</div>;
  const c = RAG_COLOURS[props.rag];
  return (
    <div style={`${FONT}font-size:12px;padding:1px 0;`}>
      <span style={`background-color:${c.bg};color:${c.fg};padding:1px 4px;font-weight:bold;`}>{`${props.prefix} ${c.label}`}</span>
    </div>
  );
}

/** The delivery RAG and the MTFS RAG side by side in one cell, so a green delivery never hides an MTFS shortfall (and a phone still fits the table). */
function RagPair(props: { delivery: Brag | null; mtfs: Brag | null }) {
  return (
    <td style={`${FONT}padding:6px;`}>
      <Badge rag={props.delivery} prefix="Delivery" />
      <Badge rag={props.mtfs} prefix="MTFS" />
    </td>
  );
}

function Bar(props: { value: number; max: number; colour: string; label: string }) {
  const pct = props.max > 0 ? Math.max(0, Math.min(100, Math.round((props.value * 100) / props.max))) : 0;
  return (
    <table role="presentation" width="100%" cellpadding="0" cellspacing="0" border={0} style="border-collapse:collapse;">
      <tr>
        <td width="58" style={`${FONT}font-size:11px;color:${MUTED};padding:1px 4px 1px 0;white-space:nowrap;`}>
          {props.label}
        </td>
        <td style="padding:1px 0;">
          <table role="presentation" width={`${Math.max(pct, 1)}%`} cellpadding="0" cellspacing="0" border={0} style="border-collapse:collapse;">
            <tr>
              <td height="10" bgcolor={props.colour} style={`background-color:${props.colour};font-size:1px;line-height:1px;`}>
                &nbsp;
              </td>
            </tr>
          </table>
        </td>
        <td width="52" align="right" style={`${FONT}font-size:11px;color:${TEXT};padding:1px 0 1px 4px;white-space:nowrap;`}>
          {formatPoundsShort(props.value)}
        </td>
      </tr>
    </table>
  );
}

function Section(props: { title: string; children: Child }) {
  return (
    <tr>
      <td style="padding:16px 12px 0 12px;">
        <h2 style={`${FONT}font-size:18px;color:${TEXT};margin:0 0 8px 0;`}>{props.title}</h2>
        {props.children}
      </td>
    </tr>
  );
}

const th = `${FONT}font-size:12px;color:${MUTED};text-align:left;padding:6px 4px;border-bottom:2px solid #b1b4b6;`;
const td = `${FONT}font-size:13px;color:${TEXT};padding:6px 4px;border-bottom:1px solid #b1b4b6;`;
const tdNum = `${td}text-align:right;white-space:nowrap;`;

function Empty(props: { text: string }) {
  return <p style={`${FONT}font-size:14px;color:${MUTED};margin:0;`}>{props.text}</p>;
}

export function renderDigestHtml(d: DigestContent, subject: string, options: RenderOptions = {}): string {
  const base = options.baseUrl?.replace(/\/$/, '');
  const fyParam = encodeURIComponent(d.financialYear);
  // Links open the pages (a person clicking from Outlook signs in there), never the JSON API.
  const reportUrl = base ? `${base}/?financialYear=${fyParam}` : undefined;
  const projectUrl = (id: string) => (base ? `${base}/projects/${id}?financialYear=${fyParam}` : undefined);
  const max = Math.max(1, ...d.workstreams.flatMap((w) => [w.mtfsTargetPence, w.baselinePence, w.forecastPence, w.realisedPence]));
  const body = (
    <html lang="en">
      <head>
        <meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{subject}</title>
      </head>
      <body style="margin:0;padding:0;background-color:#f3f2f1;">
        <table role="presentation" width="100%" cellpadding="0" cellspacing="0" border={0} style="border-collapse:collapse;background-color:#f3f2f1;">
          <tr>
            <td align="center" style="padding:8px 4px;">
              <table
                role="presentation"
                width="600"
                cellpadding="0"
                cellspacing="0"
                border={0}
                style="border-collapse:collapse;width:100%;max-width:600px;background-color:#ffffff;"
              >
                <tr>
                  <td style="background-color:#0b0c0c;padding:16px 12px;">
                    <p style={`${FONT}font-size:14px;color:#ffffff;margin:0;`}>{options.councilName ?? 'Transformation programme'} · benefits digest</p>
                    <h1 style={`${FONT}font-size:22px;color:#ffffff;margin:4px 0 0 0;`}>
                      {d.financialYear} as at {d.asAt}
                    </h1>
                  </td>
                </tr>
                <Section title="Headline figures">
                  <table role="presentation" width="100%" cellpadding="0" cellspacing="0" border={0} style="border-collapse:collapse;">
                    <tr>
                      <th style={th}>Figure</th>
                      <th style={`${th}text-align:right;`}>{d.financialYear}</th>
                      <th style={`${th}text-align:right;`}>{d.movement ? `Since ${d.movement.since.slice(0, 10)}` : 'Movement'}</th>
                    </tr>
                    {HEADLINE_LABELS.filter(([key]) => d.headline[key] !== undefined).map(([key, label]) => (
                      <tr>
                        <td style={td}>{label}</td>
                        <td style={tdNum}>
                          <Link href={reportUrl}>{formatPounds(d.headline[key] as number)}</Link>
                        </td>
                        <td style={`${td}text-align:right;color:${MUTED};`}>{d.movement ? movement(d.movement.figures[key], key) : 'first digest'}</td>
                      </tr>
                    ))}
                    <tr>
                      <td style={td}>Delivery rate (realised ÷ baseline)</td>
                      <td style={tdNum}>{d.headline.deliveryRate === null ? '–' : formatPercent(d.headline.deliveryRate)}</td>
                      <td style={`${td}text-align:right;color:${MUTED};`}>{d.movement ? movement(d.movement.figures.deliveryRate, 'deliveryRate') : ''}</td>
                    </tr>
                  </table>
                  {contextLine(d) ? <p style={`${FONT}font-size:14px;margin:8px 0 0 0;`}>{contextLine(d)}</p> : null}
                  {d.movement?.causes?.length ? (
                    <>
                      <p style={`${FONT}font-size:14px;font-weight:bold;margin:12px 0 4px 0;`}>What moved the figures most since the last digest</p>
                      <table role="presentation" width="100%" cellpadding="0" cellspacing="0" border={0} style="border-collapse:collapse;">
                        {d.movement.causes.map((c) => (
                          <tr>
                            <td style={td}>
                              {c.project}
                              {c.benefit ? ` ${c.benefit}` : ''}: {c.detail}
                            </td>
                            <td style={`${td}color:${MUTED};`}>
                              {c.by}, {c.at.slice(0, 10)}
                            </td>
                          </tr>
                        ))}
                      </table>
                    </>
                  ) : null}
                </Section>
                <Section title="Workstreams">
                  <table role="presentation" width="100%" cellpadding="0" cellspacing="0" border={0} style="border-collapse:collapse;">
                    <tr>
                      <th style={th}>Workstream</th>
                      <th style={`${th}text-align:right;`}>Target</th>
                      <th style={`${th}text-align:right;`}>Outturn</th>
                      <th style={`${th}text-align:right;`}>Gap</th>
                      <th style={th}>RAG: delivery / MTFS</th>
                    </tr>
                    {d.workstreams.map((w) => (
                      <>
                        <tr>
                          <td style={td}>
                            <Link href={base ? `${base}/workstreams/${w.id}?financialYear=${fyParam}` : undefined}>{w.name}</Link>
                          </td>
                          <td style={tdNum}>{formatPoundsShort(w.mtfsTargetPence)}</td>
                          <td style={tdNum}>{formatPoundsShort(w.outturnPence)}</td>
                          <td style={tdNum}>{formatPoundsShort(w.gapPence)}</td>
                          <RagPair delivery={w.rag} mtfs={w.mtfsRag} />
                        </tr>
                        <tr>
                          <td colspan={5} style="padding:2px 6px 10px 6px;border-bottom:1px solid #b1b4b6;">
                            <Bar value={w.mtfsTargetPence} max={max} colour={BAR_COLOURS.target} label="Target" />
                            <Bar value={w.baselinePence} max={max} colour={BAR_COLOURS.baseline} label="Baseline" />
                            <Bar value={w.forecastPence} max={max} colour={BAR_COLOURS.forecast} label="Forecast" />
                            <Bar value={w.realisedPence} max={max} colour={BAR_COLOURS.realised} label="Realised" />
                          </td>
                        </tr>
                      </>
                    ))}
                  </table>
                </Section>
                <Section title="Largest slippages">
                  {d.slippages.length === 0 ? (
                    <Empty text="No saving is forecast below its baseline." />
                  ) : (
                    <table role="presentation" width="100%" cellpadding="0" cellspacing="0" border={0} style="border-collapse:collapse;">
                      <tr>
                        <th style={th}>Saving</th>
                        <th style={`${th}text-align:right;`}>Baseline</th>
                        <th style={`${th}text-align:right;`}>Forecast</th>
                        <th style={`${th}text-align:right;`}>Short by</th>
                      </tr>
                      {d.slippages.map((s) => (
                        <tr>
                          <td style={td}>
                            <Link href={projectUrl(s.projectId)}>{s.benefit}</Link>
                            <br />
                            <span style={`color:${MUTED};font-size:12px;`}>
                              {s.workstream} · {s.project}
                            </span>
                          </td>
                          <td style={tdNum}>{formatPoundsShort(s.baselinePence)}</td>
                          <td style={tdNum}>{formatPoundsShort(s.forecastPence)}</td>
                          <td style={tdNum}>{formatPoundsShort(s.shortfallPence)}</td>
                        </tr>
                      ))}
                    </table>
                  )}
                </Section>
                {d.commentaries ? (
                  <Section title="Amber and red projects: the manager's commentary">
                    {d.commentaries.length === 0 ? (
                      <Empty text="No project is amber or red." />
                    ) : (
                      <table role="presentation" width="100%" cellpadding="0" cellspacing="0" border={0} style="border-collapse:collapse;">
                        {d.commentaries.map((p) => (
                          <tr>
                            <td style={td}>
                              <Link href={projectUrl(p.projectId)}>{p.project}</Link>{' '}
                              <span style={`color:${MUTED};font-size:12px;`}>
                                {p.workstream} · savings {p.rag ?? '–'} · confidence {p.deliveryConfidence} · outturn {formatPoundsShort(p.outturnPence)} of{' '}
                                {formatPoundsShort(p.baselinePence)}
                              </span>
                              <br />
                              {p.commentary ? <q>{p.commentary}</q> : <em>No commentary given.</em>}
                            </td>
                          </tr>
                        ))}
                      </table>
                    )}
                  </Section>
                ) : null}
                <Section title="New and escalated alerts">
                  {d.newAlerts.length + d.escalatedAlerts.length === 0 ? (
                    <Empty text="No new or escalated alerts since the last digest." />
                  ) : (
                    <table role="presentation" width="100%" cellpadding="0" cellspacing="0" border={0} style="border-collapse:collapse;">
                      {[...d.newAlerts.map((a) => ({ ...a, kind: 'New' })), ...d.escalatedAlerts.map((a) => ({ ...a, kind: 'Escalated' }))].map((a) => (
                        <tr>
                          <td
                            width="90"
                            style={`${td}font-weight:bold;color:${a.severity === 'critical' ? '#d4351c' : a.severity === 'warning' ? '#b35900' : MUTED};`}
                          >
                            {a.kind}, {a.severity}
                          </td>
                          <td style={td}>
                            <Link href={base ? `${base}/alerts` : undefined}>{a.message}</Link>
                          </td>
                        </tr>
                      ))}
                    </table>
                  )}
                </Section>
                <Section title="Critical risks">
                  {d.criticalRisks.length === 0 ? (
                    <Empty text="No open critical risks." />
                  ) : (
                    <table role="presentation" width="100%" cellpadding="0" cellspacing="0" border={0} style="border-collapse:collapse;">
                      {d.criticalRisks.map((r) => (
                        <tr>
                          <td style={td}>
                            <Link href={projectUrl(r.projectId)}>{r.title}</Link>
                            <br />
                            <span style={`color:${MUTED};font-size:12px;`}>
                              {r.project} · owner {r.owner} · score {r.score}
                              {r.savingsAtRiskPence ? ` · ${formatPoundsShort(r.savingsAtRiskPence)} at risk` : ''}
                            </span>
                          </td>
                        </tr>
                      ))}
                    </table>
                  )}
                </Section>
                <Section title="Milestones due in the next 30 days">
                  {d.milestonesDue.length === 0 ? (
                    <Empty text="No milestones due." />
                  ) : (
                    <table role="presentation" width="100%" cellpadding="0" cellspacing="0" border={0} style="border-collapse:collapse;">
                      {d.milestonesDue.map((m) => (
                        <tr>
                          <td width="110" style={`${td}white-space:nowrap;${m.overdue ? 'color:#d4351c;font-weight:bold;' : ''}`}>
                            {m.dueDate}
                            {m.overdue ? ' overdue' : ''}
                          </td>
                          <td style={td}>
                            <Link href={projectUrl(m.projectId)}>{m.title}</Link> <span style={`color:${MUTED};font-size:12px;`}>({m.project})</span>
                          </td>
                        </tr>
                      ))}
                    </table>
                  )}
                </Section>
                <Section title="Investment against plan">
                  <table role="presentation" width="100%" cellpadding="0" cellspacing="0" border={0} style="border-collapse:collapse;">
                    <tr>
                      <th style={th}>Funding source</th>
                      <th style={`${th}text-align:right;`}>Planned {d.financialYear}</th>
                      <th style={`${th}text-align:right;`}>Spent to date</th>
                    </tr>
                    {d.investment.byFundingSource.map((f) => (
                      <tr>
                        <td style={td}>{f.fundingSource.replace(/-/g, ' ')}</td>
                        <td style={tdNum}>{formatPoundsShort(f.plannedPence)}</td>
                        <td style={tdNum}>{formatPoundsShort(f.actualPence)}</td>
                      </tr>
                    ))}
                    <tr>
                      <td style={`${td}font-weight:bold;`}>Total</td>
                      <td style={`${tdNum}font-weight:bold;`}>{formatPoundsShort(d.investment.plannedPence)}</td>
                      <td style={`${tdNum}font-weight:bold;`}>{formatPoundsShort(d.investment.actualPence)}</td>
                    </tr>
                  </table>
                </Section>
                <tr>
                  <td style={`${FONT}font-size:12px;color:${MUTED};padding:24px 12px;`}>
                    Money is in pounds; full figures are in the programme report{reportUrl ? ' (linked above)' : ''}. Sent automatically every Monday at 07:30.
                  </td>
                </tr>
              </table>
            </td>
          </tr>
        </table>
      </body>
    </html>
  );
  return `<!DOCTYPE html>${body.toString()}`;
}

import { formatPounds, formatPoundsShort, type Brag } from '@bt/core';
import type { Child } from 'hono/jsx';

/**
 * Server-rendered pages in the GOV.UK Frontend house style (served from the
 * govuk-frontend package, no CDN). No client JavaScript is needed to read a
 * page: charts are inline SVG, each with a table of the same figures.
 */
export function Layout(props: { title: string; user?: string | undefined; children: Child }) {
  return (
    <html lang="en" class="govuk-template">
      <head>
        <meta charset="utf-8" />
        <title>{`${props.title} – Transformation benefits tracker`}</title>
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <link rel="stylesheet" href="/assets/govuk-frontend.min.css" />
        <style>
          {
            '.bt-num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}.bt-chart{max-width:100%;height:auto;font-family:GDS Transport,arial,sans-serif}.bt-heat td{text-align:center;width:18%}.bt-compact .govuk-table__header,.bt-compact .govuk-table__cell{font-size:16px;padding-right:10px}.bt-compact .govuk-checkboxes__item{margin:0}'
          }
        </style>
      </head>
      <body class="govuk-template__body govuk-frontend-supported">
        <a href="#main" class="govuk-skip-link">
          Skip to main content
        </a>
        {/* A council's own tool, not GOV.UK: the service navigation component without the GOV.UK header and crown. */}
        <header>
          <section class="govuk-service-navigation" aria-label="Service information">
            <div class="govuk-width-container">
              <div class="govuk-service-navigation__container">
                <span class="govuk-service-navigation__service-name">
                  <a href="/" class="govuk-service-navigation__link">
                    Transformation benefits tracker
                  </a>
                </span>
                {props.user ? (
                  <nav aria-label="Menu" class="govuk-service-navigation__wrapper">
                    <ul class="govuk-service-navigation__list" id="navigation">
                      <li class="govuk-service-navigation__item">
                        <a class="govuk-service-navigation__link" href="/">
                          Programme
                        </a>
                      </li>
                      <li class="govuk-service-navigation__item">
                        <a class="govuk-service-navigation__link" href="/movement">
                          Movement
                        </a>
                      </li>
                      <li class="govuk-service-navigation__item">
                        <a class="govuk-service-navigation__link" href="/changes">
                          Approvals
                        </a>
                      </li>
                      <li class="govuk-service-navigation__item">
                        <a class="govuk-service-navigation__link" href="/validation">
                          Validation
                        </a>
                      </li>
                      <li class="govuk-service-navigation__item">
                        <a class="govuk-service-navigation__link" href="/alerts">
                          Alerts
                        </a>
                      </li>
                      <li class="govuk-service-navigation__item">
                        <a class="govuk-service-navigation__link" href="/sign-out">
                          Sign out ({props.user})
                        </a>
                      </li>
                    </ul>
                  </nav>
                ) : null}
              </div>
            </div>
          </section>
        </header>
        <div class="govuk-width-container">
          <main class="govuk-main-wrapper" id="main">
            {props.children}
          </main>
        </div>
        <footer class="govuk-footer" role="contentinfo">
          <div class="govuk-width-container">
            <p class="govuk-body-s">
              Money in pounds. Figures follow the API:{' '}
              <a class="govuk-footer__link" href="/docs">
                API documentation
              </a>
              .
            </p>
          </div>
        </footer>
      </body>
    </html>
  );
}

export const money = (pence: number | null | undefined) => (pence === null || pence === undefined ? '–' : formatPounds(pence));
export const short = (pence: number) => formatPoundsShort(pence);

const RAG_TAG: Record<Brag, string> = { blue: 'govuk-tag--blue', green: 'govuk-tag--green', amber: 'govuk-tag--orange', red: 'govuk-tag--red' };
export function RagTag(props: { rag: Brag | null }) {
  if (!props.rag) return <span>–</span>;
  return <strong class={`govuk-tag ${RAG_TAG[props.rag]}`}>{props.rag[0]!.toUpperCase() + props.rag.slice(1)}</strong>;
}

const SERIES_COLOURS = ['#505a5f', '#1d70b8', '#d4351c', '#00703c'];

/**
 * Grouped bars, one group per label, drawn on the server as SVG. The figure
 * is described for screen readers, and the page puts a table of the same
 * numbers beside it.
 */
export function BarChart(props: { title: string; series: string[]; groups: { label: string; values: number[] }[]; id: string }) {
  const width = 760;
  const rowHeight = 16 * props.series.length + 18;
  const labelWidth = 200;
  const height = props.groups.length * rowHeight + 40;
  const max = Math.max(1, ...props.groups.flatMap((g) => g.values.map((v) => Math.abs(v))));
  const scale = (v: number) => (Math.max(0, v) / max) * (width - labelWidth - 90);
  return (
    <figure class="govuk-!-margin-0 govuk-!-margin-bottom-4">
      <svg
        class="bt-chart"
        role="img"
        aria-labelledby={`${props.id}-title`}
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
        xmlns="http://www.w3.org/2000/svg"
      >
        <title id={`${props.id}-title`}>{`${props.title}. The same figures are in the table that follows.`}</title>
        {props.series.map((s, i) => (
          <g>
            <rect x={labelWidth + i * 140} y={4} width={12} height={12} fill={SERIES_COLOURS[i % SERIES_COLOURS.length]} />
            <text x={labelWidth + i * 140 + 18} y={15} font-size="13" fill="#0b0c0c">
              {s}
            </text>
          </g>
        ))}
        {props.groups.map((g, gi) => (
          <g>
            <text x={0} y={40 + gi * rowHeight + 12} font-size="13" fill="#0b0c0c">
              {g.label.length > 28 ? `${g.label.slice(0, 27)}…` : g.label}
            </text>
            {g.values.map((v, si) => (
              <g>
                <rect x={labelWidth} y={32 + gi * rowHeight + si * 16} width={scale(v)} height={13} fill={SERIES_COLOURS[si % SERIES_COLOURS.length]} />
                <text x={labelWidth + scale(v) + 4} y={32 + gi * rowHeight + si * 16 + 11} font-size="11" fill="#0b0c0c">
                  {short(v)}
                </text>
              </g>
            ))}
          </g>
        ))}
      </svg>
      <figcaption class="govuk-body-s">{props.title}</figcaption>
    </figure>
  );
}

/** A column of a Table: its heading, and whether it holds figures (right-aligned, tabular). */
export type Column = string | { label: string; num: true };

/**
 * A GOV.UK table: a caption, column headings, and rows whose first cell
 * heads its row (read out first by a screen reader). Every table of the
 * pages is one of these, so they look and read the same.
 */
export function Table(props: { caption: Child; columns: Column[]; rows: Child[][]; class?: string; testId?: string }) {
  const cols = props.columns.map((c) => (typeof c === 'string' ? { label: c, num: false } : c));
  const cellClass = (base: string, i: number) => `${base}${cols[i]?.num ? ' bt-num' : ''}`;
  return (
    <table class={`govuk-table${props.class ? ` ${props.class}` : ''}`} data-testid={props.testId}>
      <caption class="govuk-table__caption govuk-table__caption--s">{props.caption}</caption>
      <thead class="govuk-table__head">
        <tr class="govuk-table__row">
          {cols.map((c, i) => (
            <th scope="col" class={cellClass('govuk-table__header', i)}>
              {c.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody class="govuk-table__body">
        {props.rows.map((row) => (
          <tr class="govuk-table__row">
            {row.map((cell, i) =>
              i === 0 ? (
                <th scope="row" class="govuk-table__header">
                  {cell}
                </th>
              ) : (
                <td class={cellClass('govuk-table__cell', i)}>{cell}</td>
              ),
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * "Figures as at": a GET form (works without JavaScript) that reloads the
 * page with `asAt`, keeping the FY; a link back to today's figures when a
 * past moment is shown.
 */
export function AsAtControl(props: { action: string; financialYear: string; asAt: string | undefined; knownAt: string }) {
  const date = props.asAt && /^\d{4}-\d{2}-\d{2}$/.test(props.asAt) ? props.asAt : props.asAt ? props.asAt.slice(0, 10) : '';
  return (
    <form method="get" action={props.action} class="bt-as-at" data-testid="as-at">
      <input type="hidden" name="financialYear" value={props.financialYear} />
      <div class="govuk-form-group">
        <label class="govuk-label" for="asAt">
          Figures as at
        </label>
        <div id="asAt-hint" class="govuk-hint">
          A past date shows the figures as they were known at the end of that day. Leave blank for today.
        </div>
        <input class="govuk-input govuk-input--width-10" id="asAt" name="asAt" type="date" value={date} aria-describedby="asAt-hint" />{' '}
        <button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button">
          Show
        </button>
      </div>
      {props.asAt ? (
        <p class="govuk-body-s">
          As known at {props.knownAt.replace('T', ' ').slice(0, 19)} UTC ·{' '}
          <a class="govuk-link" href={`${props.action}?financialYear=${encodeURIComponent(props.financialYear)}`}>
            today’s figures
          </a>
        </p>
      ) : null}
    </form>
  );
}

/** A problem with a form, for the GOV.UK error summary: the message and the id of the field it is about. */
export interface FormProblem {
  /** The field's name (the summary links to it); none for a problem with the whole form. */
  field?: string;
  message: string;
}

/** The id of a form field's element, from its name (`forecast.ben_….2026-10` → `forecast-ben_…-2026-10`). */
export const fieldId = (name: string) => name.replaceAll('.', '-');

/** The GOV.UK error summary at the top of a form's page: every problem, each a link to its field. */
export function ErrorSummary(props: { problems: FormProblem[] }) {
  if (!props.problems.length) return null;
  return (
    <div class="govuk-error-summary" data-module="govuk-error-summary">
      <div role="alert">
        <h2 class="govuk-error-summary__title">There is a problem</h2>
        <div class="govuk-error-summary__body">
          <ul class="govuk-list govuk-error-summary__list">
            {props.problems.map((p) => (
              <li>{p.field ? <a href={`#${fieldId(p.field)}`}>{p.message}</a> : p.message}</li>
            ))}
          </ul>
        </div>
      </div>
    </div>
  );
}

/** A success banner after a form was saved (the page it redirected to). */
export function Saved(props: { children: Child; testId: string }) {
  return (
    <div class="govuk-notification-banner govuk-notification-banner--success" role="alert" data-testid={props.testId}>
      <div class="govuk-notification-banner__content">
        <p class="govuk-notification-banner__heading">{props.children}</p>
      </div>
    </div>
  );
}

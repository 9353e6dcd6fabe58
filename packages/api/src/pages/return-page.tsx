import {
  AppError,
  COMMENTARY_REQUIRED_FROM,
  DeliveryConfidence,
  FinancialYear,
  fyOfDate,
  MoneyParseError,
  MonthlyReturn,
  nextFy,
  parsePounds,
  formatPounds,
  type Principal,
} from '@bt/core';
import * as svc from '@bt/services';
import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import type { PageContext } from './context.ts';
import { ErrorSummary, fieldId, Layout, money, type FormProblem } from './layout.tsx';
import { assertCsrf, csrfToken, formBody } from './login.tsx';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** "October 2026" for "2026-10". */
export const monthName = (m: string) => `${MONTHS[Number(m.slice(5, 7)) - 1]} ${m.slice(0, 4)}`;

const CONFIDENCE_LABELS: Record<DeliveryConfidence, string> = {
  green: 'Green: successful delivery is highly likely',
  'amber-green': 'Amber/green: likely, with no major outstanding issues',
  amber: 'Amber: feasible, but significant issues need attention',
  'amber-red': 'Amber/red: in doubt, with major issues in several areas',
  red: 'Red: appears unachievable as things stand',
};

type Typed = Record<string, string>;

/** What the form shows in each field: what was typed (after a refused POST), or the record's figures. */
function initialValues(shown: svc.ReturnForm): Typed {
  const { record, openMonths } = shown;
  const v: Typed = { deliveryConfidence: record.project.deliveryConfidence, commentary: record.project.commentary ?? '' };
  for (const b of record.benefits.filter(svc.forecastable))
    for (const m of openMonths) v[`forecast.${b.id}.${m}`] = formatPounds(b.forecast[m] ?? 0).replace('£', '');
  for (const r of record.risks.filter((r) => r.status === 'open')) {
    v[`risk.${r.id}.likelihood`] = String(r.likelihood);
    v[`risk.${r.id}.impact`] = String(r.impact);
  }
  for (const m of record.milestones) v[`milestone.${m.id}.completedDate`] = m.completedDate ?? '';
  return v;
}

/** "27/3/2026", "27 3 2026", "2026-03-27" → "2026-03-27"; undefined when blank; null when it is not a date. */
function readDate(raw: string): string | undefined | null {
  const s = raw.trim();
  if (!s) return undefined;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  const dmy = /^(\d{1,2})[/\s.-]+(\d{1,2})[/\s.-]+(\d{4})$/.exec(s);
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : dmy ? [dmy[3], dmy[2], dmy[1]] : [];
  if (!y || !m || !d) return null;
  const date = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  return new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) === date ? date : null;
}

/** Where an error of the return (the API's field path) is shown on the form. */
function fieldOf(path: string): string {
  const [head, id, rest] = path.split('.');
  if (head === 'forecasts') return rest ? `forecast.${id}.${rest}` : `forecast.${id}`;
  if (head === 'risks') return `risk.${id}.${rest ?? 'likelihood'}`;
  if (head === 'milestones') return `milestone.${id}.completedDate`;
  return head ?? 'commentary';
}

/**
 * Reads the posted form into the monthly return (pounds into pence, dates
 * as councils write them), then checks it with the API's own schema. Every
 * problem is named against its field, in the order of the form.
 */
export function readReturn(form: Typed, shown: svc.ReturnForm): { value?: MonthlyReturn; problems: FormProblem[] } {
  const { record, openMonths, financialYear } = shown;
  const problems: FormProblem[] = [];
  const forecasts: Record<string, Record<string, number>> = {};
  for (const b of record.benefits.filter(svc.forecastable)) {
    forecasts[b.id] = {};
    for (const m of openMonths) {
      const name = `forecast.${b.id}.${m}`;
      const raw = (form[name] ?? '').trim();
      if (!raw) {
        problems.push({ field: name, message: `Enter the forecast for ${monthName(m)} of “${b.title}” in pounds (0 if none)` });
        continue;
      }
      try {
        forecasts[b.id]![m] = parsePounds(raw);
      } catch (error) {
        if (!(error instanceof MoneyParseError)) throw error;
        problems.push({ field: name, message: `The forecast for ${monthName(m)} of “${b.title}” must be an amount in pounds, like 1,250.50` });
      }
    }
  }
  const risks: Record<string, { likelihood: number; impact: number }> = {};
  for (const r of record.risks.filter((r) => r.status === 'open')) {
    risks[r.id] = { likelihood: Number(form[`risk.${r.id}.likelihood`]), impact: Number(form[`risk.${r.id}.impact`]) };
  }
  const milestones: Record<string, { completedDate: string | null }> = {};
  for (const m of record.milestones) {
    const name = `milestone.${m.id}.completedDate`;
    const date = readDate(form[name] ?? '');
    if (date === null) problems.push({ field: name, message: `The completion date of “${m.title}” must be a real date, like 27/3/2026` });
    else milestones[m.id] = { completedDate: date ?? null };
  }
  const seen: Record<string, string> = {};
  for (const [k, v] of Object.entries(form)) if (k.startsWith('seen.')) seen[k.slice(5)] = v;
  const commentary = (form.commentary ?? '').trim();
  const parsed = MonthlyReturn.safeParse({
    financialYear,
    forecasts,
    deliveryConfidence: form.deliveryConfidence,
    risks,
    milestones,
    ...(commentary ? { commentary } : {}),
    seen,
  });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = fieldOf(issue.path.join('.'));
      if (problems.some((p) => p.field === field)) continue;
      problems.push({ field, message: messageFor(field, issue.message, shown) });
    }
  }
  if (COMMENTARY_REQUIRED_FROM.has(form.deliveryConfidence as DeliveryConfidence) && !commentary && !problems.some((p) => p.field === 'commentary')) {
    problems.push({ field: 'commentary', message: `Enter a commentary: at ${form.deliveryConfidence} say why, and what is being done about it` });
  }
  return problems.length || !parsed.success ? { problems } : { value: parsed.data, problems };
}

function messageFor(field: string, message: string, shown: svc.ReturnForm): string {
  if (field === 'deliveryConfidence') return 'Choose the delivery confidence';
  if (field === 'commentary') return 'The commentary must be 2,000 characters or fewer';
  const [kind, id, part] = field.split('.');
  if (kind === 'risk') {
    const title = shown.record.risks.find((r) => r.id === id)?.title ?? id;
    return `Choose the ${part} of “${title}”, from 1 to 5`;
  }
  return message;
}

function fyChoices(shown: svc.ReturnForm, today: string): string[] {
  const { project } = shown.record;
  const last = fyOfDate(project.endDate);
  let fy = [fyOfDate(today), fyOfDate(project.startDate)].sort().at(-1)!;
  const out: string[] = [];
  while (fy <= last && out.length < 10) {
    out.push(fy);
    fy = nextFy(fy);
  }
  return out.length ? out : [fyOfDate(today)];
}

const errorOf = (problems: FormProblem[], name: string) => problems.find((p) => p.field === name);

function FieldError(props: { problem: FormProblem | undefined; id: string }) {
  return props.problem ? (
    <p id={`${props.id}-error`} class="govuk-error-message">
      <span class="govuk-visually-hidden">Error:</span> {props.problem.message}
    </p>
  ) : null;
}

/** A GOV.UK text input with its error message (if any) above it. */
function TextInput(props: { name: string; value: string | undefined; problem: FormProblem | undefined; describedBy: object; decimal?: boolean }) {
  const id = fieldId(props.name);
  return (
    <>
      <FieldError problem={props.problem} id={id} />
      <input
        class={`govuk-input govuk-input--width-10${props.problem ? ' govuk-input--error' : ''}`}
        id={id}
        name={props.name}
        type="text"
        {...(props.decimal ? { inputmode: 'decimal', spellcheck: false } : {})}
        value={props.value ?? ''}
        {...props.describedBy}
      />
    </>
  );
}

/**
 * The monthly return: one form for the project's manager (or an admin) to
 * update each saving's forecast for the open months, the delivery
 * confidence, the open risks' scores, milestone completion and the
 * commentary. Works without JavaScript; carries the CSRF token and the
 * versions it shows.
 */
export async function returnPage(
  { deps, today, fyFrom }: PageContext,
  c: Context<AppEnv>,
  caller: svc.Caller,
  who: Principal,
  refused?: { typed: Typed; problems: FormProblem[]; status: 400 | 409 | 422; shown: svc.ReturnForm },
): Promise<Response> {
  const id = c.req.param('id') ?? '';
  const fy = refused?.shown.financialYear ?? fyFrom(c);
  const shown = refused?.shown ?? (await svc.monthlyReturnForm(deps, caller, id, fy));
  const { record, openMonths } = shown;
  const { project } = record;
  const values = { ...initialValues(shown), ...(refused?.typed ?? {}) };
  const problems = refused?.problems ?? [];
  const forecastable = record.benefits.filter(svc.forecastable);
  const writtenOut = record.benefits.filter((b) => !svc.forecastable(b));
  const openRisks = record.risks.filter((r) => r.status === 'open');
  const group = (name: string) => `govuk-form-group${errorOf(problems, name) ? ' govuk-form-group--error' : ''}`;
  const described = (name: string, hint?: string) => {
    const ids = [hint, errorOf(problems, name) ? `${fieldId(name)}-error` : undefined].filter(Boolean).join(' ');
    return ids ? { 'aria-describedby': ids } : {};
  };
  return c.html(
    <Layout title={`Monthly return: ${project.name}`} user={who.name}>
      <ErrorSummary problems={problems} />
      <span class="govuk-caption-l">
        {project.code} · {project.directorate} · {fy}
      </span>
      <h1 class="govuk-heading-l">Monthly return: {project.name}</h1>
      <p class="govuk-body">
        {project.lastReturnAt ? `Last submitted by ${project.lastReturnBy} on ${project.lastReturnAt.slice(0, 10)}. ` : 'Not submitted before. '}
        <a class="govuk-link" href={`/projects/${project.id}?financialYear=${encodeURIComponent(fy)}`}>
          Back to the project
        </a>
      </p>
      <nav aria-label="Financial year of the return">
        <p class="govuk-body">
          Financial year:{' '}
          {fyChoices(shown, today()).map((y, i) => (
            <>
              {i > 0 ? ' · ' : ''}
              {y === fy ? (
                <strong aria-current="page">{y}</strong>
              ) : (
                <a class="govuk-link" href={`/projects/${project.id}/return?financialYear=${encodeURIComponent(y)}`}>
                  {y}
                </a>
              )}
            </>
          ))}
        </p>
      </nav>
      <form method="post" action={`/projects/${project.id}/return`} novalidate data-testid="monthly-return">
        <input type="hidden" name="_csrf" value={csrfToken(c)} />
        <input type="hidden" name="financialYear" value={fy} />
        {Object.entries(shown.marks).map(([k, v]) => (
          <input type="hidden" name={`seen.${k}`} value={v} />
        ))}
        <h2 class="govuk-heading-m" id="forecasts" tabindex={-1}>
          Forecasts
        </h2>
        {openMonths.length === 0 ? (
          <p class="govuk-body">Every month of {fy} is closed: its figures are the realised amounts.</p>
        ) : (
          <p class="govuk-body">
            The forecast for each open month of {fy}, in pounds ({monthName(openMonths[0]!)} to {monthName(openMonths.at(-1)!)}). Closed months count what was
            realised.
          </p>
        )}
        {openMonths.length
          ? forecastable.map((b) => (
              <fieldset class="govuk-fieldset govuk-!-margin-bottom-6" aria-describedby={`${b.id}-hint`}>
                <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{b.title}</legend>
                <div id={`${b.id}-hint`} class="govuk-hint">
                  {b.type}, {b.category}. Confidence {b.confidencePct}%.
                </div>
                <table class="govuk-table">
                  <caption class="govuk-visually-hidden">{b.title}: baseline and forecast by open month</caption>
                  <thead class="govuk-table__head">
                    <tr class="govuk-table__row">
                      <th scope="col" class="govuk-table__header">
                        Month
                      </th>
                      <th scope="col" class="govuk-table__header bt-num">
                        Baseline
                      </th>
                      <th scope="col" class="govuk-table__header">
                        Forecast (£)
                      </th>
                    </tr>
                  </thead>
                  <tbody class="govuk-table__body">
                    {openMonths.map((m) => {
                      const name = `forecast.${b.id}.${m}`;
                      const problem = errorOf(problems, name);
                      return (
                        <tr class="govuk-table__row">
                          <th scope="row" class="govuk-table__header">
                            <label for={fieldId(name)}>{monthName(m)}</label>
                          </th>
                          <td class="govuk-table__cell bt-num">{money(b.baseline[m] ?? 0)}</td>
                          <td class="govuk-table__cell">
                            <div class={group(name)}>
                              <TextInput name={name} value={values[name]} problem={problem} describedBy={described(name)} decimal />
                            </div>
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </fieldset>
            ))
          : null}
        {writtenOut.length ? <p class="govuk-body">Written out, forecasting nothing: {writtenOut.map((b) => `${b.title} (${b.status})`).join(', ')}.</p> : null}

        <div class={group('deliveryConfidence')}>
          <fieldset class="govuk-fieldset" {...described('deliveryConfidence')}>
            <legend class="govuk-fieldset__legend govuk-fieldset__legend--m">
              <h2 class="govuk-fieldset__heading">Delivery confidence</h2>
            </legend>
            <FieldError problem={errorOf(problems, 'deliveryConfidence')} id="deliveryConfidence" />
            <div class="govuk-radios govuk-radios--small" data-module="govuk-radios">
              {DeliveryConfidence.options.map((o, i) => (
                <div class="govuk-radios__item">
                  <input
                    class="govuk-radios__input"
                    id={i === 0 ? 'deliveryConfidence' : `deliveryConfidence-${o}`}
                    name="deliveryConfidence"
                    type="radio"
                    value={o}
                    checked={values.deliveryConfidence === o}
                  />
                  <label class="govuk-label govuk-radios__label" for={i === 0 ? 'deliveryConfidence' : `deliveryConfidence-${o}`}>
                    {CONFIDENCE_LABELS[o]}
                  </label>
                </div>
              ))}
            </div>
          </fieldset>
        </div>

        <h2 class="govuk-heading-m">Open risks</h2>
        {openRisks.length === 0 ? <p class="govuk-body">No open risks.</p> : null}
        {openRisks.map((r) => (
          <fieldset class="govuk-fieldset govuk-!-margin-bottom-4">
            <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">
              {r.title} (owner {r.owner}; now {r.score}, {r.band})
            </legend>
            {(['likelihood', 'impact'] as const).map((part) => {
              const name = `risk.${r.id}.${part}`;
              const problem = errorOf(problems, name);
              return (
                <div class={`${group(name)} govuk-!-display-inline-block govuk-!-margin-right-6`}>
                  <label class="govuk-label" for={fieldId(name)}>
                    {part === 'likelihood' ? 'Likelihood' : 'Impact'} (1 to 5)
                  </label>
                  <FieldError problem={problem} id={fieldId(name)} />
                  <select class={`govuk-select${problem ? ' govuk-select--error' : ''}`} id={fieldId(name)} name={name} {...described(name)}>
                    {[1, 2, 3, 4, 5].map((n) => (
                      <option value={String(n)} selected={values[name] === String(n)}>
                        {n}
                      </option>
                    ))}
                  </select>
                </div>
              );
            })}
          </fieldset>
        ))}

        <h2 class="govuk-heading-m">Milestones</h2>
        {record.milestones.length === 0 ? <p class="govuk-body">No milestones.</p> : null}
        {record.milestones.map((m) => {
          const name = `milestone.${m.id}.completedDate`;
          const problem = errorOf(problems, name);
          return (
            <div class={group(name)}>
              <label class="govuk-label" for={fieldId(name)}>
                {m.title}: completed on (due {m.dueDate})
              </label>
              <div id={`${fieldId(name)}-hint`} class="govuk-hint">
                Leave blank if not completed. For example, 27/3/2026.
              </div>
              <TextInput name={name} value={values[name]} problem={problem} describedBy={described(name, `${fieldId(name)}-hint`)} />
            </div>
          );
        })}

        <div class={group('commentary')}>
          <h2 class="govuk-label-wrapper">
            <label class="govuk-label govuk-label--m" for="commentary">
              Commentary
            </label>
          </h2>
          <div id="commentary-hint" class="govuk-hint">
            Why the figures are where they are, and what is being done about it. Reports and the digest to CMT quote it beside amber and red lines; it is needed
            at amber or worse. At most 2,000 characters.
          </div>
          <FieldError problem={errorOf(problems, 'commentary')} id="commentary" />
          <textarea
            class={`govuk-textarea${errorOf(problems, 'commentary') ? ' govuk-textarea--error' : ''}`}
            id="commentary"
            name="commentary"
            rows={5}
            {...described('commentary', 'commentary-hint')}
          >
            {values.commentary ?? ''}
          </textarea>
        </div>
        <button type="submit" class="govuk-button" data-module="govuk-button">
          Submit the return
        </button>
      </form>
    </Layout>,
    refused?.status ?? 200,
  );
}

/** POST /projects/{id}/return: saved in one transaction and 303 to the project; or the form again with every problem and what was typed. */
export async function submitReturn(context: PageContext, c: Context<AppEnv>, caller: svc.Caller, who: Principal): Promise<Response> {
  const form = await formBody(c);
  assertCsrf(c, form);
  const typed: Typed = Object.fromEntries(Object.entries(form).filter((e): e is [string, string] => typeof e[1] === 'string'));
  const id = c.req.param('id') ?? '';
  const fy = FinancialYear.safeParse(typed.financialYear).success ? typed.financialYear! : context.fyFrom(c);
  const shown = await svc.monthlyReturnForm(context.deps, caller, id, fy);
  const { value, problems } = readReturn(typed, shown);
  if (!value) return returnPage(context, c, caller, who, { typed, problems, status: 400, shown });
  try {
    await svc.submitMonthlyReturn(context.deps, caller, id, value);
  } catch (error) {
    if (error instanceof AppError && (error.status === 409 || error.status === 412 || error.status === 422)) {
      // Stale: the form again with today's figures and versions, keeping what was typed.
      const problems: FormProblem[] = error.errors?.length
        ? error.errors.map((e) => ({
            field: e.path.startsWith('seen.') ? 'forecasts' : fieldOf(e.path),
            message: e.path.startsWith('seen.') ? error.message : `${e.message}`,
          }))
        : [
            {
              field: 'forecasts',
              message:
                error.status === 412 ? 'Someone changed this project while you were submitting. Nothing was saved; check and submit again.' : error.message,
            },
          ];
      const fresh = await svc.monthlyReturnForm(context.deps, caller, id, fy);
      const keep = error.status === 422 ? typed : Object.fromEntries(Object.entries(typed).filter(([k]) => !k.startsWith('seen.')));
      return returnPage(context, c, caller, who, { typed: keep, problems: dedupe(problems), status: error.status === 422 ? 422 : 409, shown: fresh });
    }
    throw error;
  }
  return c.redirect(`/projects/${id}?financialYear=${encodeURIComponent(fy)}&returned=1`, 303);
}

function dedupe(problems: FormProblem[]): FormProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => !seen.has(`${p.field}|${p.message}`) && seen.add(`${p.field}|${p.message}`));
}

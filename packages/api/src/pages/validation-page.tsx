import { lazySchema } from '@bt/core';
import { AppError, can, QueryNote, type Principal } from '@bt/core';
import * as svc from '@bt/services';
import { collectAll } from '@bt/store';
import type { Context } from 'hono';
import * as z from 'zod';
import type { AppEnv } from '../env.ts';
import type { PageContext } from './context.ts';
import { ErrorSummary, Layout, money, Saved, Table, type FormProblem } from './layout.tsx';
import { assertCsrf, csrfToken, formBody } from './login.tsx';
import { monthName } from './return-page.tsx';

const Query = lazySchema(() =>
  z.object({
    cursor: z.string().max(2000).optional().catch(undefined),
    query: z.string().max(40).optional().catch(undefined),
    answer: z.string().max(40).optional().catch(undefined),
    validated: z.coerce.number().int().min(0).max(svc.MAX_BULK_VALIDATION).optional().catch(undefined),
    noted: z.string().max(40).optional().catch(undefined),
  }),
);
const Kind = lazySchema(() => z.enum(['actual', 'spend']));

/** What went wrong with a POST, shown on the page again with what was typed. */
interface Refused {
  problems: FormProblem[];
  status: 400 | 403 | 404 | 409 | 422;
  /** The entries that were ticked. */
  ids?: string[];
  /** The entry whose query or answer was being written, and the note typed. */
  note?: { id: string; action: 'query' | 'answer'; text: string };
}

const mayValidate = (who: Principal) => can(who, 'actuals:validate');

/**
 * Finance's validation queue (SPEC 6): actuals and spend awaiting validation
 * across the programme, oldest first. Finance and admins tick entries and
 * validate them together (all or nothing, never their own) or raise a query
 * on one; whoever recorded an entry, or manages its project, sees the
 * queries on it and answers them here. Works without JavaScript.
 */
export async function validationPage({ deps }: PageContext, c: Context<AppEnv>, caller: svc.Caller, who: Principal, refused?: Refused): Promise<Response> {
  const q = Query.parse(c.req.query());
  const finance = mayValidate(who);
  const [page, summaries, managed] = await Promise.all([
    svc.listUnvalidated(deps, caller, {}, { limit: 100, cursor: q.cursor }),
    deps.store.summaries.listing().then((r) => r.summaries),
    finance ? Promise.resolve(new Set<string>()) : managedBy(deps, who),
  ]);
  const projectOf = new Map(summaries.map((s) => [s.projectId, s]));
  const parentTitle = (r: svc.QueueRow) => {
    const s = projectOf.get(r.projectId);
    if (r.kind === 'actual') return s?.benefits.find((b) => b.id === r.parentId)?.title ?? r.parentId;
    const line = s?.investments.find((i) => i.id === r.parentId);
    return line ? `${line.kind} investment, ${line.fundingSource}` : r.parentId;
  };
  // Finance sees the whole queue; anyone else the entries they recorded or whose project they manage (to answer queries).
  const rows = page.items.filter((r) => finance || r.recordedBy === who.sub || managed.has(r.projectId));
  const focus = rows.find((r) => r.id === (refused?.note?.id ?? q.query ?? q.answer));
  const focusAction: 'query' | 'answer' | undefined = refused?.note?.action ?? (q.query ? 'query' : q.answer ? 'answer' : undefined);
  const token = csrfToken(c);
  const ticked = new Set(refused?.ids ?? []);
  const idsProblem = refused?.problems.find((p) => p.field === 'ids');
  const describe = (r: svc.QueueRow) =>
    `${r.kind === 'actual' ? 'the actual' : 'the spend'} of ${money(r.amountPence)} for ${monthName(r.month)}, ${parentTitle(r)} (${r.id})`;
  return c.html(
    <Layout title="Validation" user={who.name}>
      <ErrorSummary problems={refused?.problems ?? []} />
      {q.validated ? <Saved testId="validated">{q.validated === 1 ? '1 entry validated.' : `${q.validated} entries validated.`}</Saved> : null}
      {q.noted ? <Saved testId="noted">Note saved on {q.noted}.</Saved> : null}
      <h1 class="govuk-heading-l">Validation</h1>
      <p class="govuk-body">
        {finance
          ? `Actuals and investment spend awaiting validation across the programme, oldest first. Tick up to ${svc.MAX_BULK_VALIDATION} and validate them together: all are validated or none. Someone else validates your own entries.`
          : 'Your entries, and those of the projects you manage, awaiting validation by finance. Answer a query from finance here; reversing the entry also closes it.'}
      </p>
      {focus && focusAction ? (
        <NoteForm row={focus} action={focusAction} describe={describe(focus)} token={token} text={refused?.note?.text ?? ''} problem={refused?.problems[0]} />
      ) : null}
      <form method="post" action="/validation" novalidate data-testid="bulk-validate">
        <input type="hidden" name="_csrf" value={token} />
        {idsProblem ? (
          <p id="ids-error" class="govuk-error-message">
            <span class="govuk-visually-hidden">Error:</span> {idsProblem.message}
          </p>
        ) : null}
        <Table
          caption={`Awaiting validation (${rows.length}${page.nextCursor ? ' on this page' : ''})`}
          testId="queue"
          columns={[
            'Project',
            'Saving or investment line',
            'Month',
            { label: 'Amount', num: true },
            'Evidence',
            'Recorded',
            'Query',
            finance ? 'Validate' : 'Action',
          ]}
          class="bt-compact"
          rows={rows.map((r) => {
            const s = projectOf.get(r.projectId);
            const own = r.recordedBy === who.sub;
            return [
              <a class="govuk-link" href={`/projects/${r.projectId}`} title={s?.name}>
                {s?.code ?? r.projectId}
              </a>,
              `${parentTitle(r)}${r.kind === 'spend' ? ' (spend)' : ''}`,
              monthName(r.month),
              money(r.amountPence),
              `${r.note}${r.reverses ? ` (reverses ${r.reverses})` : ''}`,
              `${r.recordedBy}, ${r.recordedAt.slice(0, 10)}`,
              r.query ? (
                <>
                  {r.query.note} ({r.query.raisedBy}){r.query.answer ? <> — answered: {r.query.answer}</> : r.queryOpen ? <strong> — open</strong> : null}
                </>
              ) : finance && !own ? (
                <a class="govuk-link" href={`/validation?query=${r.id}`}>
                  Raise a query<span class="govuk-visually-hidden"> on {describe(r)}</span>
                </a>
              ) : (
                ''
              ),
              finance ? (
                own ? (
                  'Recorded by you'
                ) : (
                  <div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">
                    <div class="govuk-checkboxes__item">
                      <input class="govuk-checkboxes__input" id={`ids-${r.id}`} name="ids" type="checkbox" value={r.id} checked={ticked.has(r.id)} />
                      <label class="govuk-label govuk-checkboxes__label" for={`ids-${r.id}`}>
                        <span class="govuk-visually-hidden">Validate {describe(r)}</span>
                      </label>
                    </div>
                  </div>
                )
              ) : r.queryOpen ? (
                <a class="govuk-link" href={`/validation?answer=${r.id}`}>
                  Answer<span class="govuk-visually-hidden"> the query on {describe(r)}</span>
                </a>
              ) : (
                'Awaiting finance'
              ),
            ];
          })}
        />
        {finance && rows.some((r) => r.recordedBy !== who.sub) ? (
          <button type="submit" class="govuk-button" data-module="govuk-button" id="ids">
            Validate the ticked entries
          </button>
        ) : null}
      </form>
      {page.nextCursor ? (
        <p class="govuk-body">
          <a class="govuk-link" href={`/validation?cursor=${encodeURIComponent(page.nextCursor)}`}>
            Later entries
          </a>
        </p>
      ) : null}
    </Layout>,
    refused?.status ?? 200,
  );
}

/** The projects a person manages (to show them the queries on their projects' entries). */
async function managedBy(deps: svc.Deps, who: Principal): Promise<Set<string>> {
  const projects = await collectAll((p) => deps.store.projects.list({}, p));
  return new Set(projects.filter((p) => p.manager === who.sub).map((p) => p.id));
}

function NoteForm(props: { row: svc.QueueRow; action: 'query' | 'answer'; describe: string; token: string; text: string; problem: FormProblem | undefined }) {
  const { row: r, action } = props;
  return (
    <form method="post" action={`/validation/${r.kind}/${r.id}/${action}`} novalidate data-testid={`${action}-form`}>
      <input type="hidden" name="_csrf" value={props.token} />
      <input type="hidden" name="projectId" value={r.projectId} />
      <input type="hidden" name="parentId" value={r.parentId} />
      <div class={`govuk-form-group${props.problem ? ' govuk-form-group--error' : ''}`}>
        <h2 class="govuk-label-wrapper">
          <label class="govuk-label govuk-label--m" for="note">
            {action === 'query' ? `Query ${r.id}` : `Answer the query on ${r.id}`}
          </label>
        </h2>
        <div id="note-hint" class="govuk-hint">
          {props.describe.charAt(0).toUpperCase() + props.describe.slice(1)}.{' '}
          {action === 'query' ? 'Say what is wrong or missing; whoever recorded it sees the query.' : `Finance asked: ${r.query?.note ?? ''}`}
        </div>
        {props.problem ? (
          <p id="note-error" class="govuk-error-message">
            <span class="govuk-visually-hidden">Error:</span> {props.problem.message}
          </p>
        ) : null}
        <textarea
          class={`govuk-textarea${props.problem ? ' govuk-textarea--error' : ''}`}
          id="note"
          name="note"
          rows={3}
          aria-describedby={props.problem ? 'note-hint note-error' : 'note-hint'}
        >
          {props.text}
        </textarea>
      </div>
      <div class="govuk-button-group">
        <button type="submit" class="govuk-button" data-module="govuk-button">
          {action === 'query' ? 'Raise the query' : 'Send the answer'}
        </button>
        <a class="govuk-link" href="/validation">
          Cancel
        </a>
      </div>
    </form>
  );
}

function refusal(error: unknown): { status: 403 | 404 | 409 | 422; message: string } | undefined {
  if (error instanceof AppError && [403, 404, 409, 422].includes(error.status))
    return { status: error.status as 403 | 404 | 409 | 422, message: error.message };
  return undefined;
}

/** POST /validation: validate the ticked entries, all or nothing; 303 back with how many, or the queue with the problem and the ticks kept. */
export async function validateTicked(context: PageContext, c: Context<AppEnv>, caller: svc.Caller, who: Principal): Promise<Response> {
  const form = await formBody(c, { all: true });
  assertCsrf(c, form);
  const raw = form.ids;
  const ids = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((v): v is string => typeof v === 'string');
  if (ids.length === 0) return validationPage(context, c, caller, who, { problems: [{ field: 'ids', message: 'Tick the entries to validate' }], status: 400 });
  if (ids.length > svc.MAX_BULK_VALIDATION) {
    return validationPage(context, c, caller, who, {
      problems: [{ field: 'ids', message: `Tick at most ${svc.MAX_BULK_VALIDATION} entries at once (you ticked ${ids.length})` }],
      status: 400,
      ids,
    });
  }
  try {
    await svc.validateMany(context.deps, caller, ids);
  } catch (error) {
    const r = refusal(error);
    if (!r) throw error;
    return validationPage(context, c, caller, who, { problems: [{ field: 'ids', message: r.message }], status: r.status, ids });
  }
  return c.redirect(`/validation?validated=${ids.length}`, 303);
}

/** POST /validation/{kind}/{id}/query|answer: the note saved on the entry; 303 back, or the form again with the problem and the note typed. */
export async function noteOnEntry(context: PageContext, c: Context<AppEnv>, caller: svc.Caller, who: Principal, action: 'query' | 'answer'): Promise<Response> {
  const form = await formBody(c);
  assertCsrf(c, form);
  const id = c.req.param('id') ?? '';
  const kind = Kind.safeParse(c.req.param('kind'));
  const text = typeof form.note === 'string' ? form.note : '';
  const again = (message: string, status: Refused['status']) =>
    validationPage(context, c, caller, who, { problems: [{ field: 'note', message }], status, note: { id, action, text } });
  const parsed = QueryNote.safeParse({ note: text });
  if (!parsed.success) return again(action === 'query' ? 'Enter the query (at most 1,000 characters)' : 'Enter the answer (at most 1,000 characters)', 400);
  if (!kind.success || typeof form.projectId !== 'string' || typeof form.parentId !== 'string') return again('Open the entry from the queue again', 400);
  const where = { kind: kind.data, projectId: form.projectId, parentId: form.parentId, id };
  try {
    if (action === 'query') await svc.raiseQuery(context.deps, caller, where, parsed.data.note);
    else await svc.answerQuery(context.deps, caller, where, parsed.data.note);
  } catch (error) {
    const r = refusal(error);
    if (!r) throw error;
    return again(r.message, r.status);
  }
  return c.redirect(`/validation?noted=${encodeURIComponent(id)}`, 303);
}

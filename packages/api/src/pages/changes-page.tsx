import { lazySchema } from '@bt/core';
import { AppError, ChangeStatus, DecideChange, formatPounds, type ChangeRequest, type Principal } from '@bt/core';
import * as svc from '@bt/services';
import type { Context } from 'hono';
import * as z from 'zod';
import type { AppEnv } from '../env.ts';
import { ErrorSummary, Layout, Saved, Table } from './layout.tsx';
import { assertCsrf, csrfToken, formBody } from './login.tsx';
import type { PageContext } from './context.ts';

const Query = lazySchema(() => z.object({ status: ChangeStatus.optional().catch(undefined), decided: z.string().max(40).optional().catch(undefined) }));

/** What a request proposes, in words. */
function proposal(r: ChangeRequest): string {
  const p = r.proposed;
  if (r.kind === 're-baseline') return `Baseline ${formatPounds(Object.values(p.baseline ?? {}).reduce((a, v) => a + v, 0))} in all`;
  if (r.kind === 'write-out') return `Write out as ${p.status}`;
  if (r.kind === 'stage-change') return `Move the project to ${p.stage}`;
  return [p.type ? `type ${p.type}` : '', p.category ? `category ${p.category}` : ''].filter(Boolean).join(', ');
}

/** May this person decide this request: finance or an admin, never their own. */
const mayDecide = (who: Principal, r: ChangeRequest) => (who.roles.includes('finance') || who.roles.includes('admin')) && r.requestedBy !== who.sub;

/**
 * Approvals: change requests (pending by default), each with a form to
 * approve or reject it with a note for finance and admins (never on their
 * own requests). Works without JavaScript; every form carries the CSRF token.
 */
export async function changesPage(
  { deps }: PageContext,
  c: Context<AppEnv>,
  caller: svc.Caller,
  who: Principal,
  problem?: { id: string; message: string; note: string; status: 400 | 403 | 404 | 409 | 422 },
): Promise<Response> {
  const q = Query.parse(c.req.query());
  const status = q.status ?? 'pending';
  const requests = (await svc.listChanges(deps, caller, { status }, { limit: 100 })).items;
  const token = csrfToken(c);
  return c.html(
    <Layout title="Change requests" user={who.name}>
      <ErrorSummary problems={problem ? [{ field: `note-${problem.id}`, message: problem.message }] : []} />
      {q.decided ? <Saved testId="decided">Change request {q.decided} decided.</Saved> : null}
      <h1 class="govuk-heading-l">Change requests</h1>
      <p class="govuk-body">
        Once a project is approved, a re-baseline, a write-out, a change of a saving's type or category, and cancelling or closing a project are requested here,
        and finance decides.{' '}
        {ChangeStatus.options.map((s, i) => (
          <>
            {i > 0 ? ' · ' : ''}
            {s === status ? (
              <strong aria-current="page">{s}</strong>
            ) : (
              <a class="govuk-link" href={`/changes?status=${s}`}>
                {s}
              </a>
            )}
          </>
        ))}
      </p>
      <Table
        caption={`Change requests: ${status}`}
        testId="changes"
        columns={['Requested', 'Kind (its project)', 'Proposed', 'Reason', 'By', status === 'pending' ? 'Decision' : 'Decided']}
        rows={requests.map((r) => [
          r.requestedAt.replace('T', ' ').slice(0, 16),
          <a class="govuk-link" href={`/projects/${r.projectId}`}>
            {r.kind}
          </a>,
          proposal(r),
          r.reason,
          r.requestedBy,
          r.status !== 'pending' ? (
            `${r.status} by ${r.decidedBy ?? ''}${r.decisionNote ? `: ${r.decisionNote}` : ''}`
          ) : mayDecide(who, r) ? (
            <form method="post" action={`/changes/${r.id}`} novalidate data-testid={`decide-${r.id}`}>
              <input type="hidden" name="_csrf" value={token} />
              <div class={`govuk-form-group${problem?.id === r.id ? ' govuk-form-group--error' : ''}`}>
                <label class="govuk-label" for={`note-${r.id}`}>
                  Note for the record
                </label>
                {problem?.id === r.id ? (
                  <p id={`note-${r.id}-error`} class="govuk-error-message">
                    <span class="govuk-visually-hidden">Error:</span> {problem.message}
                  </p>
                ) : null}
                <textarea
                  class={`govuk-textarea${problem?.id === r.id ? ' govuk-textarea--error' : ''}`}
                  id={`note-${r.id}`}
                  name="note"
                  rows={2}
                  {...(problem?.id === r.id ? { 'aria-describedby': `note-${r.id}-error` } : {})}
                >
                  {problem?.id === r.id ? problem.note : ''}
                </textarea>
              </div>
              <div class="govuk-button-group">
                <button type="submit" name="decision" value="approve" class="govuk-button" data-module="govuk-button">
                  Approve
                </button>
                <button type="submit" name="decision" value="reject" class="govuk-button govuk-button--warning" data-module="govuk-button">
                  Reject
                </button>
              </div>
            </form>
          ) : (
            'Awaiting finance'
          ),
        ])}
      />
    </Layout>,
    problem?.status ?? 200,
  );
}

/** POST /changes/{id}: approve or reject with a note; 303 back to the list, or the list with the problem and what was typed. */
export async function decideChange(context: PageContext, c: Context<AppEnv>, caller: svc.Caller, who: Principal): Promise<Response> {
  const form = await formBody(c);
  assertCsrf(c, form);
  const id = c.req.param('id') ?? '';
  const note = typeof form.note === 'string' ? form.note : '';
  const parsed = DecideChange.safeParse({ note });
  if (!parsed.success) return changesPage(context, c, caller, who, { id, message: 'Enter a note saying why', note, status: 400 });
  try {
    if (form.decision === 'reject') await svc.rejectChange(context.deps, caller, id, parsed.data);
    else if (form.decision === 'approve') await svc.approveChange(context.deps, caller, id, parsed.data);
    else return changesPage(context, c, caller, who, { id, message: 'Choose approve or reject', note, status: 400 });
  } catch (error) {
    if (error instanceof AppError && [403, 404, 409, 422].includes(error.status)) {
      return changesPage(context, c, caller, who, { id, message: error.message, note, status: error.status as 403 | 404 | 409 | 422 });
    }
    throw error;
  }
  return c.redirect(`/changes?decided=${encodeURIComponent(id)}`, 303);
}

import { lazySchema } from '@bt/core';
import { assertCan, buildDigest, formatPoundsShort, headlineOf, NotFoundError, todayInLondon, type DigestContent, type IsoDate } from '@bt/core';
import { renderDigestHtml, renderDigestText, type Mailer } from '@bt/email';
import { DigestSlotTaken, type Page, type PageRequest, type StoredDigest } from '@bt/store';
import * as zm from 'zod/mini';
import { loadProgramme } from './alerts.ts';
import { mintId, thresholdsOf, writeContext, type Caller, type Deps } from './context.ts';
import { largestCauses, programmeMovement } from './movement.ts';
import { programmeReport } from './report.ts';
import { monitoringPack, XLSX_CONTENT_TYPE } from './monitoring-pack.ts';

/** Who the digest goes to and how it links back: from settings. */
export interface DigestSettings {
  recipients: string[];
  sender: string;
  baseUrl?: string | undefined;
  councilName?: string | undefined;
  /** Attach the monthly monitoring pack: never (the default), to the first digest of each month, or to every digest. */
  monitoringPack?: MonitoringPackAttachment | undefined;
}

export const MonitoringPackAttachment = lazySchema(() => zm.enum(['never', 'monthly', 'always']));
export type MonitoringPackAttachment = zm.infer<typeof MonitoringPackAttachment>;

/** The digest's settings (zod's mini API, like every setting: core's read-settings.ts). */
export const DigestSettingsFromEnv = lazySchema(() => {
  const email = zm.email();
  return zm
    .pipe(
      zm.object({
        DIGEST_RECIPIENTS: zm.string().check(zm.minLength(3)),
        DIGEST_SENDER: zm.email(),
        PUBLIC_BASE_URL: zm.optional(zm.url()),
        COUNCIL_NAME: zm.optional(zm.string().check(zm.minLength(1))),
        DIGEST_MONITORING_PACK: zm._default(MonitoringPackAttachment, 'never'),
      }),
      zm.transform(
        (e): DigestSettings => ({
          recipients: e.DIGEST_RECIPIENTS.split(',')
            .map((r) => r.trim())
            .filter(Boolean),
          sender: e.DIGEST_SENDER,
          baseUrl: e.PUBLIC_BASE_URL,
          councilName: e.COUNCIL_NAME,
          monitoringPack: e.DIGEST_MONITORING_PACK,
        }),
      ),
    )
    .check(zm.refine((s) => s.recipients.every((r) => zm.safeParse(email, r).success), 'DIGEST_RECIPIENTS must be a comma-separated list of email addresses'));
});

const SYSTEM: Caller = { principal: { sub: 'system:digest', name: 'CMT digest', roles: ['admin'] }, requestId: 'scheduled' };

export interface RenderedDigest {
  subject: string;
  html: string;
  text: string;
  content: DigestContent;
}

/** The next digest, rendered: figures as at the date (default today) for its FY, movement against the last digest sent. */
export async function renderNextDigest(deps: Deps, settings: DigestSettings, slot: string, asAt: IsoDate): Promise<RenderedDigest> {
  const [report, programme, live, previous] = await Promise.all([
    programmeReport(deps, SYSTEM, { asAt }),
    loadProgramme(deps),
    deps.store.alerts.live(),
    deps.store.digests.lastSent(),
  ]);
  // Movement since the last digest: the figures as known when it was sent, and the changes recorded since that moved them most.
  const movement =
    previous?.sentAt && previous.sentAt < deps.clock().toISOString()
      ? await programmeMovement(deps, SYSTEM, { financialYear: report.financialYear, from: previous.sentAt })
      : null;
  const content = buildDigest({
    slot,
    asAt,
    financialYear: report.financialYear,
    programme: report.programme,
    workstreams: report.workstreams,
    projects: programme.projects,
    liveAlerts: live,
    previous:
      previous?.sentAt && movement
        ? {
            sentAt: previous.sentAt,
            headline: headlineOf(movement.programme.before),
            causes: largestCauses(movement, 5).map((c) => ({
              kind: c.kind,
              at: c.at,
              by: c.by,
              project: c.projectCode ?? '',
              ...(c.benefitTitle ? { benefit: c.benefitTitle } : {}),
              amountPence: c.amountPence ?? 0,
              detail: c.detail,
            })),
          }
        : null,
    thresholds: thresholdsOf(deps),
    periods: programme.periods,
    context: {
      programmeTarget: report.programme.programmeTarget,
      netBudgetPence: report.programme.netBudgetPence,
      shareOfNetBudget: report.programme.shareOfNetBudget,
    },
  });
  const subject = `Transformation benefits digest, ${asAt}: ${content.financialYear} outturn ${formatPoundsShort(content.headline.outturnPence ?? content.headline.forecastPence)}, ${formatPoundsShort(content.headline.gapPence)} short of the MTFS target`;
  return { subject, content, html: renderDigestHtml(content, subject, settings), text: renderDigestText(content, subject) };
}

/** GET /v1/digests/preview: the next digest, without sending it. */
export async function previewDigest(deps: Deps, caller: Caller, settings: DigestSettings, asAt: IsoDate | undefined): Promise<RenderedDigest> {
  assertCan(caller.principal, 'programme:read');
  return renderNextDigest(deps, settings, 'preview', asAt ?? todayInLondon(deps.clock()));
}

/**
 * Send the digest for a slot: the scheduled Monday's date, or `manual:<request
 * id>` on demand. One email per slot: the slot is claimed with the stored
 * digest in one transaction, so a retry (or a second run) for a slot already
 * sent sends nothing and returns the stored digest. A send that failed is
 * retried once reclaimed; one whose outcome is unknown (a crash mid-send) is
 * not resent — at most one email, never two.
 */
export async function sendDigest(
  deps: Deps,
  settings: DigestSettings,
  mailer: Mailer,
  slot: string,
  asAt: IsoDate,
  caller: Caller = SYSTEM,
): Promise<{ digest: StoredDigest; sentNow: boolean }> {
  const existing = await deps.store.digests.bySlot(slot);
  if (existing) {
    if (existing.status === 'failed' && (await deps.store.digests.reclaimFailed(existing.id))) return deliver(deps, mailer, existing, caller);
    return { digest: existing, sentNow: false };
  }
  const rendered = await renderNextDigest(deps, settings, slot, asAt);
  const ctx = writeContext(deps, caller);
  const withPack = await packWanted(deps, settings, asAt);
  const digest: StoredDigest = {
    id: mintId(deps, 'digest'),
    slot,
    status: 'sending',
    financialYear: rendered.content.financialYear,
    asAt,
    subject: rendered.subject,
    recipients: settings.recipients,
    sender: settings.sender,
    createdAt: ctx.now,
    content: rendered.content,
    html: rendered.html,
    text: rendered.text,
    ...(withPack ? { attachments: [packFilename(rendered.content.financialYear, asAt)] } : {}),
  };
  try {
    await deps.store.commit([
      ...deps.store.digests.claimOps(digest),
      deps.store.audit.entryOp(ctx, {
        entityType: 'digest',
        entityId: digest.id,
        action: 'create',
        before: null,
        after: { ...digest, html: '(omitted)', text: '(omitted)' },
      }),
    ]);
  } catch (error) {
    if (error instanceof DigestSlotTaken) return { digest: (await deps.store.digests.bySlot(slot))!, sentNow: false };
    throw error;
  }
  return deliver(deps, mailer, digest, caller);
}

/** Does this digest carry the monitoring pack: always, or monthly when no digest of this calendar month (by its as-at date) has been sent yet. */
async function packWanted(deps: Deps, settings: DigestSettings, asAt: IsoDate): Promise<boolean> {
  if (settings.monitoringPack === 'always') return true;
  if (settings.monitoringPack !== 'monthly') return false;
  const last = await deps.store.digests.lastSent();
  return !last || last.asAt.slice(0, 7) < asAt.slice(0, 7);
}

const packFilename = (fy: string, asAt: IsoDate) => `monitoring-pack-${fy.replace('/', '-')}-${asAt}.xlsx`;

async function deliver(deps: Deps, mailer: Mailer, digest: StoredDigest, caller: Caller): Promise<{ digest: StoredDigest; sentNow: boolean }> {
  let messageId: string;
  try {
    // The pack of the digest's own moment and FY, built as it is sent.
    const attachments = digest.attachments?.length
      ? [
          {
            filename: digest.attachments[0]!,
            content: (await monitoringPack(deps, SYSTEM, { financialYear: digest.financialYear, asAt: digest.asAt })).bytes,
            contentType: XLSX_CONTENT_TYPE,
          },
        ]
      : undefined;
    ({ messageId } = await mailer.send({
      attachments,
      id: digest.id,
      from: digest.sender,
      to: digest.recipients,
      subject: digest.subject,
      html: digest.html,
      text: digest.text,
      date: deps.clock(),
    }));
  } catch (error) {
    await deps.store.digests.markFailed(digest.id, error instanceof Error ? error.message : String(error));
    throw error;
  }
  const ctx = writeContext(deps, caller);
  const sent: StoredDigest = { ...digest, status: 'sent', sentAt: ctx.now, messageId };
  await deps.store.commit([
    deps.store.digests.markSentOp(digest.id, ctx.now, messageId),
    deps.store.outbox.enqueueOp({
      id: `${digest.id}.sent`,
      source: 'benefits-tracker',
      detailType: 'DigestSent',
      time: ctx.now,
      detail: { digestId: digest.id, slot: digest.slot, recipients: digest.recipients, subject: digest.subject, sentAt: ctx.now },
    }),
    deps.store.audit.entryOp(ctx, {
      entityType: 'digest',
      entityId: digest.id,
      action: 'sent',
      before: { status: digest.status },
      after: { status: 'sent', sentAt: ctx.now, messageId },
    }),
  ]);
  return { digest: sent, sentNow: true };
}

/** POST /v1/digests: an admin sends one now. */
export async function sendDigestNow(deps: Deps, caller: Caller, settings: DigestSettings, mailer: Mailer, asAt: IsoDate | undefined) {
  assertCan(caller.principal, 'digests:send', 'Only an admin can send the digest on demand.');
  return sendDigest(deps, settings, mailer, `manual:${caller.requestId}`, asAt ?? todayInLondon(deps.clock()), caller);
}

export async function listDigests(
  deps: Deps,
  caller: Caller,
  page: PageRequest,
): Promise<Page<Omit<StoredDigest, 'html' | 'text' | 'content'> & { headline: unknown }>> {
  assertCan(caller.principal, 'programme:read');
  const result = await deps.store.digests.list(page);
  return {
    items: result.items.map(({ html: _h, text: _t, content, ...rest }) => ({ ...rest, headline: (content as { headline?: unknown }).headline ?? null })),
    nextCursor: result.nextCursor,
  };
}

export async function getDigest(deps: Deps, caller: Caller, id: string): Promise<StoredDigest> {
  assertCan(caller.principal, 'programme:read');
  const digest = await deps.store.digests.get(id);
  if (!digest) throw new NotFoundError(`There is no digest ${id}.`);
  return digest;
}

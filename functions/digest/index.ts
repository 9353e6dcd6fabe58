import { logger } from '@bt/services';
import { readSettings, todayInLondon } from '@bt/core';
import { loadedOnFirstSend } from '@bt/email';
import { answerDigestRequest, DigestRequest, DigestSettingsFromEnv, functionDeps, inProcessDigestDesk, publishOutbox, sendDigest } from '@bt/services';
import * as z from 'zod';
import * as zm from 'zod/mini';

const { deps, sink } = functionDeps(process.env);
const settings = readSettings(DigestSettingsFromEnv, process.env);
// MAIL_OUTBOX_DIR: a local invoke writes the email to files instead of sending it through SES.
const { MAIL_OUTBOX_DIR } = readSettings(zm.object({ MAIL_OUTBOX_DIR: zm.optional(zm.string().check(zm.minLength(1))) }), process.env);
// The mail stack is loaded with the first digest sent, from beside the bundle (functions/bundling.ts): a preview never loads it.
const mailer = loadedOnFirstSend(async () => (await import('@bt/email/send')).functionMailer(MAIL_OUTBOX_DIR));
const desk = inProcessDigestDesk(deps, settings, mailer);

/** EventBridge Scheduler's input: optionally the slot (default: today's date in London, the Monday it runs). */
const ScheduledInput = z.object({ slot: z.string().min(1).max(100).optional() }).loose();

/**
 * The weekly CMT digest (Monday 07:30 Europe/London). A retry for the same
 * slot sends nothing more: the slot is claimed with the stored digest.
 * The API invokes it too (an `action`): to preview the next digest or send
 * one now on an admin's behalf, checked against that caller's role here.
 */
export async function handler(event: unknown) {
  if (event && typeof event === 'object' && 'action' in event) {
    const request = DigestRequest.safeParse(event);
    if (!request.success) throw new Error(`Unexpected request from the API: ${request.error.message}`);
    const reply = await answerDigestRequest(desk, request.data);
    if (request.data.action === 'send') await publishOutbox(deps, sink);
    logger.info('digest on demand', { action: request.data.action, requestId: request.data.caller.requestId, ok: reply.ok });
    return reply;
  }
  const input = ScheduledInput.safeParse(event ?? {});
  if (!input.success) throw new Error(`Unexpected scheduler input: ${input.error.message}`);
  const today = todayInLondon(deps.clock());
  const { digest, sentNow } = await sendDigest(deps, settings, mailer, input.data.slot ?? today, today);
  const published = await publishOutbox(deps, sink);
  const summary = { id: digest.id, slot: digest.slot, status: digest.status, sentNow, published };
  logger.info('digest', summary);
  return summary;
}

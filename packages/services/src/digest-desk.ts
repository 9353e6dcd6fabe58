import { lazySchema } from '@bt/core';
import { AppError, IsoDate, Role } from '@bt/core';
import type { Mailer } from '@bt/email';
import type { StoredDigest } from '@bt/store';
import * as z from 'zod';
import type { Caller, Deps } from './context.ts';
import { previewDigest, sendDigestNow, type DigestSettings, type RenderedDigest } from './digest.ts';

/**
 * The digest on demand, as the API sees it: render the next one, or send one
 * now. Locally (and in tests) it runs in the same process; in AWS the API
 * asks the digest function, which alone holds the mail code and SES rights.
 */
export interface DigestDesk {
  preview(caller: Caller, asAt: IsoDate | undefined): Promise<RenderedDigest>;
  sendNow(caller: Caller, asAt: IsoDate | undefined): Promise<StoredDigest>;
}

export function inProcessDigestDesk(deps: Deps, settings: DigestSettings, mailer: Mailer): DigestDesk {
  return {
    preview: (caller, asAt) => previewDigest(deps, caller, settings, asAt),
    sendNow: async (caller, asAt) => (await sendDigestNow(deps, caller, settings, mailer, asAt)).digest,
  };
}

/** Who asked, as the API hands a request to another function (a direct invoke, never a public route). */
export const InvokingCaller = lazySchema(() =>
  z.object({
    principal: z.object({ sub: z.string().min(1), name: z.string(), email: z.string().optional(), roles: z.array(Role) }),
    requestId: z.string().min(1),
  }),
);

/** What the API asks of the digest function (a direct invoke, never a public route). */
export const DigestRequest = lazySchema(() =>
  z.object({
    action: z.enum(['preview', 'send']),
    asAt: IsoDate.optional(),
    caller: InvokingCaller,
  }),
);
export type DigestRequest = z.infer<typeof DigestRequest>;

export const DigestProblem = lazySchema(() =>
  z.object({
    status: z.number().int().min(400).max(599),
    code: z.string(),
    title: z.string(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
);

/** Its answer: the result, or the domain error (403, 404 …) that the API relays as problem+json. */
export type DigestReply = { ok: true; preview: RenderedDigest } | { ok: true; digest: StoredDigest } | { ok: false; problem: z.infer<typeof DigestProblem> };

/** In the digest function: carry out a request from the API; domain errors go back as data, anything else fails the invoke. */
export async function answerDigestRequest(desk: DigestDesk, request: DigestRequest): Promise<DigestReply> {
  try {
    if (request.action === 'preview') return { ok: true, preview: await desk.preview(request.caller, request.asAt) };
    return { ok: true, digest: await desk.sendNow(request.caller, request.asAt) };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return {
      ok: false,
      problem: { status: error.status, code: error.code, title: error.title, detail: error.message, ...(error.errors ? { errors: error.errors } : {}) },
    };
  }
}

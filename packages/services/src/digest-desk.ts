import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { AppError, IsoDate, RelayedError, Role, DigestContent } from '@bt/core';
import type { Mailer } from '@bt/email';
import { StoredDigest } from '@bt/store';
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

/** What the API asks of the digest function (a direct invoke, never a public route). */
export const DigestRequest = z.object({
  action: z.enum(['preview', 'send']),
  asAt: IsoDate.optional(),
  caller: z.object({
    principal: z.object({ sub: z.string().min(1), name: z.string(), email: z.string().optional(), roles: z.array(Role) }),
    requestId: z.string().min(1),
  }),
});
export type DigestRequest = z.infer<typeof DigestRequest>;

const Problem = z.object({
  status: z.number().int().min(400).max(599),
  code: z.string(),
  title: z.string(),
  detail: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

/** Its answer: the result, or the domain error (403, 404 …) that the API relays as problem+json. */
export type DigestReply = { ok: true; preview: RenderedDigest } | { ok: true; digest: StoredDigest } | { ok: false; problem: z.infer<typeof Problem> };

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

const Reply = z.union([
  z.object({ ok: z.literal(true), preview: z.object({ subject: z.string(), html: z.string(), text: z.string(), content: z.record(z.string(), z.unknown()) }) }),
  z.object({ ok: z.literal(true), digest: z.object({ id: z.string() }).loose() }),
  z.object({ ok: z.literal(false), problem: Problem }),
]);

/** In the API (AWS): the digest function does the work, invoked and awaited. */
export class InvokedDigestDesk implements DigestDesk {
  constructor(
    private readonly client: LambdaClient,
    private readonly functionName: string,
  ) {}

  async preview(caller: Caller, asAt: IsoDate | undefined): Promise<RenderedDigest> {
    const reply = await this.ask({ action: 'preview', caller, ...(asAt ? { asAt } : {}) });
    if (!('preview' in reply)) throw new Error('The digest function answered a preview with no preview.');
    return { ...reply.preview, content: DigestContent.parse(reply.preview.content) };
  }

  async sendNow(caller: Caller, asAt: IsoDate | undefined): Promise<StoredDigest> {
    const reply = await this.ask({ action: 'send', caller, ...(asAt ? { asAt } : {}) });
    if (!('digest' in reply)) throw new Error('The digest function answered a send with no digest.');
    return StoredDigest.parse(reply.digest);
  }

  private async ask(request: DigestRequest) {
    const result = await this.client.send(
      new InvokeCommand({ FunctionName: this.functionName, InvocationType: 'RequestResponse', Payload: new TextEncoder().encode(JSON.stringify(request)) }),
    );
    const body = result.Payload ? new TextDecoder().decode(result.Payload) : '';
    if (result.FunctionError) throw new Error(`The digest function failed (${result.FunctionError}): ${body.slice(0, 500)}`);
    const reply = Reply.parse(JSON.parse(body));
    if (!reply.ok) {
      const { status, code, title, detail, errors } = reply.problem;
      throw new RelayedError(status, code, title, detail, errors);
    }
    return reply;
  }
}

import { lazySchema } from '@bt/core';
import { DigestContent, RelayedError, type IsoDate } from '@bt/core';
import { StoredDigest } from '@bt/store';
import * as z from 'zod';
import type { Caller } from '../context.ts';
import type { RenderedDigest } from '../digest.ts';
import { DigestProblem, type DigestDesk, type DigestRequest } from '../digest-desk.ts';
import { InvokesFunction } from './lambda-on-first-use.ts';

/** The digest function's answer, checked at the boundary with the same schemas it was made from. */
const Reply = lazySchema(() =>
  z.union([
    z.object({ ok: z.literal(true), preview: z.object({ subject: z.string(), html: z.string(), text: z.string(), content: DigestContent }) }),
    z.object({ ok: z.literal(true), digest: StoredDigest }),
    z.object({ ok: z.literal(false), problem: DigestProblem }),
  ]),
);

/** In the API (AWS): the digest function does the work, invoked and awaited. */
export class InvokedDigestDesk extends InvokesFunction implements DigestDesk {
  async preview(caller: Caller, asAt: IsoDate | undefined): Promise<RenderedDigest> {
    const reply = await this.ask({ action: 'preview', caller, ...(asAt ? { asAt } : {}) });
    if (!('preview' in reply)) throw new Error('The digest function answered a preview with no preview.');
    return reply.preview;
  }

  async sendNow(caller: Caller, asAt: IsoDate | undefined): Promise<StoredDigest> {
    const reply = await this.ask({ action: 'send', caller, ...(asAt ? { asAt } : {}) });
    if (!('digest' in reply)) throw new Error('The digest function answered a send with no digest.');
    return reply.digest;
  }

  private async ask(request: DigestRequest) {
    const { client, InvokeCommand } = await this.lambda();
    const result = await client.send(
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

import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { AUDIENCE, createApp, LOCAL_ISSUER } from '@bt/api';
import type { Store } from '@bt/store';
import { makeToken } from '../../packages/local/src/token.ts';
import { testDigestDesk } from '../support/digest.ts';

const secret = 'bench-secret-0123456789abcdef0123456789';

/**
 * The whole product over a benchmark's store, asked as an admin: `read`
 * fetches a path and reads its body to the end (counting bytes and lines, so
 * a streamed feed is measured whole), failing loudly on anything but 200.
 */
export async function benchApp(store: Store, now: string, onChunk: () => void = () => {}) {
  const deps = { store, clock: () => new Date(now) };
  const app = createApp(deps, {
    auth: { mode: 'local-hs256', secret, issuer: LOCAL_ISSUER, audience: AUDIENCE },
    bodyLimitBytes: 1 << 20,
    digests: testDigestDesk(deps, join('.bench', 'outbox')),
  });
  const token = await makeToken(secret, { sub: 'bench', roles: ['admin'] });
  return async (path: string) => {
    const res = await app.request(path, { headers: { Authorization: `Bearer ${token}` } });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${(await res.text()).slice(0, 300)}`);
    let bytes = 0;
    let newlines = 0;
    const reader = res.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      onChunk();
      bytes += value.length;
      for (let at = value.indexOf(10); at !== -1; at = value.indexOf(10, at + 1)) newlines++;
    }
    return { bytes, newlines };
  };
}

/** The machine a benchmark ran on, for its results. */
export function benchMachine(): string {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

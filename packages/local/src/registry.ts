import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { alive } from './lock.ts';

/**
 * The local servers running on this machine (for this user): each writes
 * where it runs and on which data directory when it answers, and removes it
 * when it stops. `pnpm token` reads it to sign with a running server's key
 * when it is not told which data directory to use.
 */
export interface RunningServer {
  pid: number;
  dataDir: string;
  url: string;
  /** Where its signing key comes from (never the key itself). */
  key: 'data-dir' | 'LOCAL_JWT_SECRET';
}

function registryDir(): string {
  return join(tmpdir(), `benefits-tracker-${userInfo().username}`, 'servers');
}

/** Says this process serves `url` on `dataDir`; the returned function takes it back. */
export function registerServer(server: Omit<RunningServer, 'pid'>): () => void {
  const dir = registryDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${process.pid}.json`);
  writeFileSync(file, JSON.stringify({ pid: process.pid, ...server }), { mode: 0o600 });
  return () => rmSync(file, { force: true });
}

/** The servers running now (entries of processes that died are ignored and removed). */
export function runningServers(): RunningServer[] {
  let names: string[];
  try {
    names = readdirSync(registryDir());
  } catch {
    return [];
  }
  const out: RunningServer[] = [];
  for (const name of names) {
    const file = join(registryDir(), name);
    try {
      const entry = JSON.parse(readFileSync(file, 'utf8')) as RunningServer;
      if (alive(entry.pid)) out.push(entry);
      else rmSync(file, { force: true });
    } catch {
      // Half-written or gone meanwhile: not a server to use.
    }
  }
  return out.sort((a, b) => a.dataDir.localeCompare(b.dataDir));
}

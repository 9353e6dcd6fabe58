import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';

/** Another process already runs the product (or a job) on this data directory. */
export class DataDirInUseError extends Error {}

export interface DataDirLock {
  release(): void;
}

/** Is a process alive (EPERM: it exists, but is not ours to signal)? */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but is not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function lockFile(dataDir: string): string {
  return join(dataDir, 'server.lock');
}

/** The pid holding the data directory's lock, if that process is still alive. */
export function lockHolder(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(lockFile(dataDir), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One DynamoDB Local per data directory: two on the same files lose
 * acknowledged writes. The lock is a file created exclusively (O_EXCL) with
 * our pid; a lock left by a process that has died is taken over.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const file = lockFile(dataDir);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          if (readPid(file) === process.pid) rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = lockHolder(dataDir);
      if (holder !== undefined) {
        throw new DataDirInUseError(
          `The data directory ${dataDir} is in use by another run of the product (pid ${holder}). Stop it first, or give this one its own DATA_DIR; a job run while the server is up uses the server's DynamoDB Local by itself.`,
        );
      }
      // Left by a process that died: take it over.
      rmSync(file, { force: true });
    }
  }
  throw new DataDirInUseError(`Could not take the lock on ${dataDir}; another run of the product is starting there. Try again.`);
}

function readPid(file: string): number | undefined {
  try {
    return Number(readFileSync(file, 'utf8').trim());
  } catch {
    return undefined;
  }
}

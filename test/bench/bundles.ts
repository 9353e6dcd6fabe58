import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { FUNCTION_ENTRIES, lambdaBundling } from '../../functions/bundling.ts';

const root = join(import.meta.dirname, '..', '..');

/** Median of `runs` cold imports of a bundle in a fresh node process (a cold-start proxy), in ms. */
function importTime(file: string, env: NodeJS.ProcessEnv, runs = 9): number {
  const script = `const t=performance.now();await import(${JSON.stringify(file)});process.stdout.write(String(performance.now()-t));`;
  const times = Array.from({ length: runs }, () => Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env })));
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

/**
 * Each function's bundle, built with the deploy settings, beside a minimal
 * Hono handler bundled the same way: size (minified) and import time.
 */
export async function bundleFigures(endpoint: string) {
  const dir = mkdtempSync(join(tmpdir(), 'bt-bundle-bench-'));
  try {
    const minimal = join(dir, 'minimal-entry.ts');
    writeFileSync(minimal, "import { Hono } from 'hono';\nimport { handle } from 'hono/aws-lambda';\nexport const handler = handle(new Hono().get('/', (c) => c.text('ok')));\n");
    const entries = { ...Object.fromEntries(Object.entries(FUNCTION_ENTRIES).map(([k, v]) => [k, join(root, v)])), minimal };
    await build({ ...lambdaBundling, entryPoints: entries, outdir: dir, outExtension: { '.js': '.mjs' }, target: 'node20', logLevel: 'error', nodePaths: [join(root, 'functions', 'api', 'node_modules')] });
    const env = {
      ...process.env,
      TABLE_NAME: 'bench',
      AWS_REGION: 'eu-west-2',
      DYNAMODB_ENDPOINT: endpoint,
      EVENT_BUS_NAME: 'bench',
      DIGEST_RECIPIENTS: 'cmt@council.example.gov.uk',
      DIGEST_SENDER: 'benefits-tracker@council.example.gov.uk',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    };
    const baseline = importTime(join(dir, 'minimal.mjs'), env);
    const out: Record<string, { kib: number; importMs: number; importRatio: number }> = {};
    for (const name of [...Object.keys(FUNCTION_ENTRIES), 'minimal']) {
      const file = join(dir, `${name}.mjs`);
      const ms = name === 'minimal' ? baseline : importTime(file, env);
      out[name] = { kib: Math.round(statSync(file).size / 1024), importMs: Number(ms.toFixed(1)), importRatio: Number((ms / baseline).toFixed(1)) };
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

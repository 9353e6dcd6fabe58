import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import madge from 'madge';
import { describe, expect, it } from 'vitest';
import { currentStoreReadme, STORE_README } from '../support/store-readme.ts';

/**
 * The shape of the code base, checked as tests so it stays as built: no
 * import cycle, and the store the only package that speaks DynamoDB.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const PRODUCT = ['packages', 'functions', 'infra'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'cdk.out') return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [relative(ROOT, path)] : [];
  });
}
const product = PRODUCT.flatMap((d) => sourceFiles(join(ROOT, d)));

describe('the code base', () => {
  it('has no import cycle', async () => {
    const graph = await madge(
      PRODUCT.map((d) => join(ROOT, d)),
      { fileExtensions: ['ts', 'tsx'], tsConfig: join(ROOT, 'tsconfig.json'), excludeRegExp: [/node_modules/, /cdk\.out/, /\.test\.tsx?$/] },
    );
    expect(graph.circular()).toEqual([]);
  });

  it('speaks DynamoDB only in the store (and the local runner, to wait for DynamoDB Local)', () => {
    const allowed = (file: string) => file.startsWith('packages/store/') || file === 'packages/local/src/dynamodb-local.ts';
    const offenders = product.filter(
      (file) => !allowed(file) && /from '@aws-sdk\/(client-dynamodb|lib-dynamodb)'/.test(readFileSync(join(ROOT, file), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('builds every key and index name in keys.ts (the table definition names the indexes)', () => {
    const keyLiteral = /['`][A-Z_]{3,}#|IndexName: '|gsi[12](pk|sk)/;
    const offenders = product.filter(
      (file) => !['packages/store/src/keys.ts', 'packages/store/src/tables.ts'].includes(file) && keyLiteral.test(readFileSync(join(ROOT, file), 'utf8')),
    );
    expect(offenders).toEqual([]);
    // Outside the store no code builds a key at all.
    const usesKeys = product.filter((file) => !file.startsWith('packages/store/') && /(?<!issue\.)\bkeys\.[a-z]/.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(usesKeys).toEqual([]);
  });

  it("shows in the store's README the access patterns keys.ts builds (pnpm docs:store rewrites it)", () => {
    expect(readFileSync(STORE_README, 'utf8')).toBe(currentStoreReadme());
  });

  it('casts nothing to never (or through unknown) in product code: types follow from the schemas', () => {
    const offenders = product.filter((file) => /\bas (never|unknown as)\b/.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it("declares the packages' module-level schemas with lazySchema, built on first use, not at every function's cold start (core/lazy-schema.ts)", () => {
    // A module-level `const X = z.…` (or one of the domain's schema factories) is built when its module is imported.
    const eager = /^(export )?const \w+(: [^=]+)? = (z\b|idSchema\(|Text\()/m;
    const offenders = product.filter((file) => /^packages\/(core|store|services|api|email)\//.test(file) && eager.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(offenders).toEqual([]);
    // The check sees what it is meant to: the entry points' own small input schemas, built at their cold start, are such declarations.
    expect(product.filter((file) => file.startsWith('functions/') && eager.test(readFileSync(join(ROOT, file), 'utf8'))).length).toBeGreaterThan(0);
  });
});

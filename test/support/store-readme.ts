import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { accessPatternTable } from '@bt/store';

/** The store's README with its access-pattern table as keys.ts builds it. */
export const STORE_README = join(import.meta.dirname, '..', '..', 'packages', 'store', 'README.md');

export function currentStoreReadme(): string {
  const text = readFileSync(STORE_README, 'utf8');
  return text.replace(
    /(<!-- access-patterns:[^\n]*-->\n)[\s\S]*?(\n<!-- \/access-patterns -->)/,
    (_, open: string, close: string) => `${open}${accessPatternTable()}${close}`,
  );
}

if (process.argv[1] === import.meta.filename) {
  writeFileSync(STORE_README, currentStoreReadme());
  process.stdout.write(`wrote the access-pattern table of ${STORE_README}\n`);
}

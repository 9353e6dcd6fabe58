import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { type FUNCTION_ENTRIES, sideModuleBuild, sideModules, sidePackageJson, sidePackages } from '../../functions/bundling.ts';

const root = join(import.meta.dirname, '..', '..');

/** The side modules (exceljs, the S3 exports) of these functions, built beside their bundles in `outdir` as the stack's afterBundling hook builds them. */
export async function buildSideModules(functions: (keyof typeof FUNCTION_ENTRIES)[], outdir: string, target = 'node20'): Promise<void> {
  const modules = [...new Set(functions.flatMap(sideModules))];
  for (const module of modules) await build({ ...sideModuleBuild(module, root, outdir), target, logLevel: 'error' });
  for (const pkg of sidePackages(modules)) writeFileSync(join(outdir, 'node_modules', pkg, 'package.json'), sidePackageJson(modules, pkg));
}

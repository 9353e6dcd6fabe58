import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { externalModules, FUNCTION_ENTRIES, functionBundling, sideModuleBuild, sideModules, sidePackageJson, sidePackages } from '../../functions/bundling.ts';

const root = join(import.meta.dirname, '..', '..');
type FunctionName = keyof typeof FUNCTION_ENTRIES;

/** The side modules (exceljs, the S3 exports, the mail stack) of these functions, built beside their bundles in `outdir` as the stack's afterBundling hook builds them. */
export async function buildSideModules(functions: FunctionName[], outdir: string, target = 'node20'): Promise<void> {
  const modules = [...new Set(functions.flatMap(sideModules))];
  for (const module of modules) await build({ ...sideModuleBuild(module, root, outdir), target, logLevel: 'error' });
  for (const pkg of sidePackages(modules)) writeFileSync(join(outdir, 'node_modules', pkg, 'package.json'), sidePackageJson(modules, pkg));
}

/**
 * These functions' bundles (`<name>.mjs`) in `outdir`, each with the deploy
 * settings and its own external modules (`functionBundling`), and their side
 * modules beside them: one esbuild run per set of external modules.
 */
export async function buildFunctionBundles(functions: FunctionName[], outdir: string, options: BuildOptions = {}): Promise<void> {
  const groups = new Map<string, FunctionName[]>();
  for (const name of functions) groups.set(externalModules(name).join(), [...(groups.get(externalModules(name).join()) ?? []), name]);
  for (const names of groups.values())
    await build({
      ...functionBundling(names[0]!),
      entryPoints: Object.fromEntries(names.map((name) => [name, join(root, FUNCTION_ENTRIES[name])])),
      outdir,
      outExtension: { '.js': '.mjs' },
      target: 'node20',
      logLevel: 'error',
      ...options,
    });
  await buildSideModules(functions, outdir, typeof options.target === 'string' ? options.target : 'node20');
}

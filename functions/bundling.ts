import type { BuildOptions } from 'esbuild';
import { govukFrontendDir } from '../packages/api/src/pages/paths.ts';

/**
 * The esbuild settings for every Lambda bundle, shared by the CDK stack and
 * the bundle tests so that what is tested is what is deployed.
 * The AWS SDK is bundled (not taken from the runtime) so the deployed
 * version is the one pinned in the lockfile.
 */
export const lambdaBundling = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  sourcemap: true,
  treeShaking: true,
  mainFields: ['module', 'main'],
  // Some dependencies are CommonJS and call require(); ESM bundles need it defined.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  legalComments: 'none',
} as const satisfies BuildOptions;

/** Entry points of the functions, relative to the repository root. */
export const FUNCTION_ENTRIES = {
  api: 'functions/api/index.ts',
  alerts: 'functions/alerts/index.ts',
  digest: 'functions/digest/index.ts',
  publisher: 'functions/publisher/index.ts',
} as const;

/** Where, beside the API's bundle, the pages' GOV.UK Frontend files go (served at /assets). */
export const PAGE_ASSETS_FOLDER = 'govuk';

/**
 * Files a function needs beside its bundle, copied after bundling: by the
 * CDK's `afterBundling` hook and, the same way, by the bundle tests. Only the
 * API has any: GOV.UK Frontend's stylesheet, fonts and images for the pages
 * (kept out of the JavaScript, so they cost nothing at cold start).
 */
export function bundleAssets(name: keyof typeof FUNCTION_ENTRIES): { from: string; to: string }[] {
  return name === 'api' ? [{ from: govukFrontendDir(), to: PAGE_ASSETS_FOLDER }] : [];
}

import { join } from 'node:path';
import type { BuildOptions } from 'esbuild';
import { govukFrontendDir } from '../packages/api/src/pages/paths.ts';

/** `node:http` as a CommonJS module (see the file). */
const NODE_HTTP = join(import.meta.dirname, 'node-http.cjs');

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
  // node:http taken as CommonJS, not imported as an ES module: what that costs on Node 24 is in node-http.cjs.
  alias: { http: NODE_HTTP, 'node:http': NODE_HTTP },
  // Loaded on first use from beside the bundle (SIDE_MODULES below), not bundled; `functionBundling` bundles in what a function always uses.
  external: ['exceljs', 'csv-parse/sync', '@bt/services/s3-exports', '@bt/services/lambda-client', '@bt/email/send'],
} as const satisfies BuildOptions;

/**
 * Modules a function loads only on first use, kept out of its bundle and
 * built beside it under `node_modules/`, where the bundle's `import()` of
 * the same specifier finds them, so a cold start neither parses nor runs
 * them: exceljs (about 930 KiB built, with its dependencies), needed only to
 * make or read a workbook; csv-parse, needed only to import a CSV file; the S3 client with its multipart upload and
 * presigner, needed only for a feed or pack too large to answer inline; and
 * the Lambda client, needed only for a digest asked for on demand or a file
 * handed to the export function; the mail stack (nodemailer's composer and
 * the SES client), needed only to send a digest, not to preview one.
 */
export const SIDE_MODULES = {
  exceljs: { entry: 'packages/services/src/exceljs-entry.ts', packageName: 'exceljs', file: 'index.mjs', exportsAs: '.' },
  'csv-parse/sync': { entry: 'packages/services/src/csv-parse-entry.ts', packageName: 'csv-parse', file: 'sync.mjs', exportsAs: './sync' },
  '@bt/services/s3-exports': {
    entry: 'packages/services/src/adapters/s3-exports.ts',
    packageName: '@bt/services',
    file: 's3-exports.mjs',
    exportsAs: './s3-exports',
  },
  '@bt/services/lambda-client': {
    entry: 'packages/services/src/adapters/lambda-client.ts',
    packageName: '@bt/services',
    file: 'lambda-client.mjs',
    exportsAs: './lambda-client',
  },
  '@bt/email/send': { entry: 'packages/email/src/mail.ts', packageName: '@bt/email', file: 'send.mjs', exportsAs: './send' },
} as const;
type SideModule = keyof typeof SIDE_MODULES;

/**
 * What a function uses at every invocation is bundled in, not loaded beside
 * it: a side module is bundled with its own copy of the SDK's core, which a
 * function that always loads it would pay for at every cold start. The
 * export function writes every file it makes to S3.
 */
const BUNDLED_IN: Partial<Record<keyof typeof FUNCTION_ENTRIES, SideModule[]>> = { exports: ['@bt/services/s3-exports'] };

/** The modules left out of a function's bundle: the side modules it does not bundle in. */
export function externalModules(name: keyof typeof FUNCTION_ENTRIES): SideModule[] {
  return lambdaBundling.external.filter((m) => !BUNDLED_IN[name]?.includes(m));
}

/** The esbuild settings of one function's bundle: the shared ones, with that function's own external modules. */
export function functionBundling(name: keyof typeof FUNCTION_ENTRIES) {
  return { ...lambdaBundling, external: externalModules(name) } satisfies BuildOptions;
}

/** The side modules each function carries. */
export function sideModules(name: keyof typeof FUNCTION_ENTRIES): SideModule[] {
  // The API and the pages make the monitoring pack, store one too large to answer inline in S3, and hand one too slow to the export function; the API imports CSV files.
  if (name === 'api') return ['exceljs', 'csv-parse/sync', '@bt/services/s3-exports', '@bt/services/lambda-client'];
  if (name === 'pages') return ['exceljs', '@bt/services/s3-exports', '@bt/services/lambda-client'];
  // The export function makes the pack with exceljs (its S3 client is bundled in: BUNDLED_IN above).
  if (name === 'exports') return ['exceljs'];
  // The digest attaches the monitoring pack, and loads the mail stack to send one (a preview does not).
  return name === 'digest' ? ['exceljs', '@bt/email/send'] : [];
}

const sideModuleFile = (module: SideModule, outputDir: string) => `${outputDir}/node_modules/${SIDE_MODULES[module].packageName}/${SIDE_MODULES[module].file}`;

/** esbuild settings of a side module: the functions' own (and what the CDK hook runs as a command, below). */
export function sideModuleBuild(module: SideModule, root: string, outputDir: string): BuildOptions {
  return {
    ...lambdaBundling,
    sourcemap: false,
    external: [],
    entryPoints: [`${root}/${SIDE_MODULES[module].entry}`],
    outfile: sideModuleFile(module, outputDir),
  };
}

/** The package.json beside a function's side modules of one package: what makes `import('<specifier>')` load them. */
export function sidePackageJson(modules: SideModule[], packageName: string): string {
  const own = modules.filter((m) => SIDE_MODULES[m].packageName === packageName);
  return JSON.stringify({
    name: packageName,
    type: 'module',
    exports: Object.fromEntries(own.map((m) => [SIDE_MODULES[m].exportsAs, `./${SIDE_MODULES[m].file}`])),
  });
}

/** A function's side modules grouped by package: each package's directory gets one package.json. */
export function sidePackages(modules: SideModule[]): string[] {
  return [...new Set(modules.map((m) => SIDE_MODULES[m].packageName))];
}

/** The same build as shell commands, for the CDK's afterBundling hook (which runs commands). */
export function sideModuleCommands(name: keyof typeof FUNCTION_ENTRIES, root: string, outputDir: string): string[] {
  const modules = sideModules(name);
  return [
    ...modules.map((module) => {
      const o = sideModuleBuild(module, root, outputDir);
      return [
        'pnpm exec esbuild',
        `"${(o.entryPoints as string[])[0]}"`,
        '--bundle --platform=node --format=esm --minify --tree-shaking=true --legal-comments=none',
        `--target=${o.target}`,
        `--main-fields=${lambdaBundling.mainFields.join(',')}`,
        `--banner:js="${lambdaBundling.banner.js}"`,
        ...aliasArgs().map((a) => `--alias:${a}`),
        `--outfile="${o.outfile}"`,
      ].join(' ');
    }),
    ...sidePackages(modules).map((pkg) => `printf '%s' '${sidePackageJson(modules, pkg)}' > "${outputDir}/node_modules/${pkg}/package.json"`),
  ];
}

/** The bundles' aliases as esbuild's command line gives them (`--alias:<from>=<to>`), for the CDK's bundling and the side modules' commands. */
export function aliasArgs(): string[] {
  return Object.entries(lambdaBundling.alias).map(([from, to]) => `${from}=${to}`);
}

/**
 * Files a function's build writes beside its bundle, as shell commands (the
 * CDK's afterBundling hook; the bundle tests run the same): the API's OpenAPI
 * document, made from the function's own app (`functions/api/openapi-file.ts`)
 * and served as it is, not made again at each request.
 */
export function builtFileCommands(name: keyof typeof FUNCTION_ENTRIES, root: string, outputDir: string): string[] {
  return name === 'api'
    ? [`AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true pnpm --dir "${root}" exec tsx functions/api/openapi-file.ts "${outputDir}/${OPENAPI_FILE}"`]
    : [];
}

/** The API's OpenAPI document beside its bundle. */
export const OPENAPI_FILE = 'openapi.json';

/** Entry points of the functions, relative to the repository root. */
export const FUNCTION_ENTRIES = {
  api: 'functions/api/index.ts',
  alerts: 'functions/alerts/index.ts',
  digest: 'functions/digest/index.ts',
  publisher: 'functions/publisher/index.ts',
  pages: 'functions/pages/index.ts',
  exports: 'functions/exports/index.ts',
} as const;

/** Where, beside the pages' bundle, their GOV.UK Frontend files go (served at /assets). */
export const PAGE_ASSETS_FOLDER = 'govuk';

/**
 * Files a function needs beside its bundle, copied after bundling: by the
 * CDK's `afterBundling` hook and, the same way, by the bundle tests. Only the
 * pages have any: GOV.UK Frontend's stylesheet, fonts and images
 * (kept out of the JavaScript, so they cost nothing at cold start).
 */
export function bundleAssets(name: keyof typeof FUNCTION_ENTRIES): { from: string; to: string }[] {
  return name === 'pages' ? [{ from: govukFrontendDir(), to: PAGE_ASSETS_FOLDER }] : [];
}

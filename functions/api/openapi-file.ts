import { writeFileSync } from 'node:fs';
import { loadLambdaEnv, openApiJson } from '@bt/api';
import { apiFunctionApp } from './app.ts';

/**
 * Writes the API function's OpenAPI document to a file, at build time (the
 * stack's afterBundling hook and the bundle tests run the same command:
 * functions/bundling.ts), for the function to serve as it is. The app is the
 * function's own; the names the stack gives it at deploy time reach no part
 * of the document.
 */
const [file] = process.argv.slice(2);
if (!file) throw new Error('Usage: openapi-file.ts <file to write>');
const env = loadLambdaEnv({
  TABLE_NAME: 'openapi-build',
  AWS_REGION: 'eu-west-2',
  DIGEST_FUNCTION_NAME: 'openapi-build',
  EXPORTS_BUCKET: 'openapi-build',
  FEED_EXPORT_FUNCTION_NAME: 'openapi-build',
});
const { app, store } = apiFunctionApp(env);
writeFileSync(file, openApiJson(app));
store.destroy();

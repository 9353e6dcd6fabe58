import { fileURLToPath } from 'node:url';
import { loadLambdaEnv } from '@bt/api';
import { handle } from 'hono/aws-lambda';
import { apiFunctionApp } from './app.ts';

// Cold start: settings and the AWS clients are made once per container. The OpenAPI document is the file the build wrote
// beside the bundle (functions/bundling.ts, `builtFileCommands`).
const { app } = apiFunctionApp(loadLambdaEnv(process.env), fileURLToPath(new URL('openapi.json', import.meta.url)));

/** The HTTP API (payload v2) handler: the API Gateway JWT authorizer has verified the caller (the pages are a function of their own: functions/pages). */
export const handler = handle(app);

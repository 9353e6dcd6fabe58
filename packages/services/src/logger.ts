import { Console } from 'node:console';
import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Structured JSON logs (Powertools Logger: the same format in Lambda and locally,
 * with the Lambda context added when there is one). Level from POWERTOOLS_LOG_LEVEL.
 */
export const logger = new Logger({ serviceName: 'benefits-tracker' });

/**
 * Sends every log line to stderr: for the command line, whose stdout is its
 * result (JSON a script pipes to jq). Powertools writes through its own
 * Console (stdout for info, stderr for errors); this replaces it with one
 * whose both streams are stderr.
 */
export function logToStderr(): void {
  Object.assign(logger, { console: new Console({ stdout: process.stderr, stderr: process.stderr }) });
}

import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Structured JSON logs (Powertools Logger: the same format in Lambda and locally,
 * with the Lambda context added when there is one). Level from POWERTOOLS_LOG_LEVEL.
 */
export const logger = new Logger({ serviceName: 'benefits-tracker' });

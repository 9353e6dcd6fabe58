export * from './config.ts';
export * from './dynamodb-local.ts';
export * from './server.ts';
export * from './token.ts';
export * from './schedules.ts';
export * from './demo.ts';

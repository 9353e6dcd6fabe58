export * from './app.ts';
export * from './api-app.ts';
export * from './pages-app.ts';
export * from './auth.ts';

export * from './problem.ts';
export * from './config.ts';
export * from './exports.ts';
export type { FeedExports } from './stream.ts';
export * from './pages/login.tsx';
export * from './pages/paths.ts';

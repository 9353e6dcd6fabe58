export * from './context.ts';
export * from './workstreams.ts';
export * from './projects.ts';
export * from './audit.ts';

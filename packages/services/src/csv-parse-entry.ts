/**
 * csv-parse's synchronous parser as a module of its own beside the API's
 * bundle (`node_modules/csv-parse/sync.mjs`, functions/bundling.ts): only a
 * CSV import reads it, so the API leaves it out of its bundle and imports it
 * with the first CSV file, not at every cold start.
 */
export { parse } from 'csv-parse/sync';

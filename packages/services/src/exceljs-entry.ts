/**
 * exceljs as a module of its own beside a function's bundle
 * (`node_modules/exceljs/index.mjs`, functions/bundling.ts): the functions
 * leave it out of their bundle and import it on the first workbook, so it is
 * neither parsed nor run at a cold start.
 */
export { default } from 'exceljs';

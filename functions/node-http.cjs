// `node:http` for the bundles, as CommonJS (functions/bundling.ts, `alias`).
// On Node.js 24 an ES-module import of node:http reads every export of it to
// make the module's namespace, among them http.WebSocket, a lazy getter that
// loads undici (Node's fetch): about 20 ms at every cold start of a function
// that never uses it. Taken as the module object, nothing is read until used.
module.exports = process.getBuiltinModule('node:http');

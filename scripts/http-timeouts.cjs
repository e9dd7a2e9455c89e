// Preloaded into `next start` (node --require): bounds on how long a client may take to
// send a request. Node's defaults let a request that declares a longer body than it sends
// hold its connection for 300 s; `next start` exposes only keepAliveTimeout. Next.js makes
// its server with http.createServer(listener), so the options are added there.
// Env: SNAPDECK_HTTP_REQUEST_TIMEOUT_MS (whole request, default 30 s) and
// SNAPDECK_HTTP_HEADERS_TIMEOUT_MS (headers, default 15 s).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS preload (node --require)
const http = require("node:http");

const ms = (name, fallback) => {
  const value = Number(process.env[name] || fallback);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer (ms)`);
  return value;
};
const requestTimeout = ms("SNAPDECK_HTTP_REQUEST_TIMEOUT_MS", 30_000);
const headersTimeout = Math.min(requestTimeout, ms("SNAPDECK_HTTP_HEADERS_TIMEOUT_MS", 15_000));
const createServer = http.createServer;

http.createServer = function (options, listener) {
  if (typeof options === "function" || options === undefined) [options, listener] = [{}, options];
  // Node checks the timeouts every connectionsCheckingInterval (30 s by default).
  return createServer.call(this, { connectionsCheckingInterval: 1_000, requestTimeout, headersTimeout, ...options }, listener);
};

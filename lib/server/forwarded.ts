// Which address a request comes from, and which X-Forwarded-* headers to believe.
//
// `next start` hides the socket from route handlers: it only copies the peer's address into
// X-Forwarded-For when the request has none (`??=`), so a client that sends its own header
// is indistinguishable from the peer. Node publishes every request on the diagnostics
// channel "http.server.request.start" (with its socket) synchronously before Next.js sees
// it; the subscriber below, registered from instrumentation.ts at server start, rewrites the
// forwarded headers there, once, for everything downstream (our handlers, next-auth and
// Next.js itself):
// - peer not in SNAPDECK_TRUSTED_PROXIES: every forwarded header is dropped and
//   X-Forwarded-For becomes the peer's address (Next then fills Host/proto from the request);
// - peer trusted: X-Forwarded-For becomes the rightmost address in its chain that is not
//   itself a trusted proxy (the one hop we can vouch for); Host and proto are kept.
import "server-only";
import diagnostics from "node:diagnostics_channel";
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { BlockList, isIP, type Socket } from "node:net";
import { config } from "@/lib/config";

const CHECKED = Symbol.for("snapdeck.forwarded-headers-checked");
const DROPPED = ["x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "x-real-ip", "forwarded"];

/** "1.2.3.4", "::ffff:1.2.3.4", "[::1]:80", "1.2.3.4:5" → the bare address, or "" if none. */
export function normalizeAddress(raw: string): string {
  let addr = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(addr);
  if (bracketed) addr = bracketed[1]!;
  else if (/^[\d.]+:\d+$/.test(addr)) addr = addr.slice(0, addr.lastIndexOf(":"));
  if (/^::ffff:[\d.]+$/i.test(addr)) addr = addr.slice(7);
  return isIP(addr) ? addr.toLowerCase() : "";
}

/** SNAPDECK_TRUSTED_PROXIES entries ("10.0.0.1", "10.0.0.0/8", "fd00::/8") as a BlockList. */
export function parseTrustedProxies(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = "", prefix] = entry.split("/");
    const addr = normalizeAddress(address);
    const type = isIP(addr) === 6 ? "ipv6" : "ipv4";
    const bits = prefix === undefined ? (type === "ipv6" ? 128 : 32) : Number(prefix);
    if (!addr || !/^\d+$/.test(prefix ?? "0") || bits > (type === "ipv6" ? 128 : 32))
      throw new Error(`SNAPDECK_TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR range`);
    list.addSubnet(addr, bits, type);
  }
  return list;
}

function isTrusted(list: BlockList, addr: string): boolean {
  return addr !== "" && list.check(addr, isIP(addr) === 6 ? "ipv6" : "ipv4");
}

/** Rewrites `headers` in place as described at the top of this file. */
export function sanitizeForwardedHeaders(headers: IncomingHttpHeaders, peerAddress: string, trusted: BlockList): void {
  const peer = normalizeAddress(peerAddress);
  if (!isTrusted(trusted, peer)) {
    for (const name of DROPPED) delete headers[name];
    if (peer) headers["x-forwarded-for"] = peer;
    return;
  }
  const chain = String(headers["x-forwarded-for"] ?? "")
    .split(",")
    .map(normalizeAddress);
  let client = peer;
  for (let i = chain.length - 1; i >= 0 && isTrusted(trusted, client); i--) {
    if (!chain[i]) break; // garbage from the proxy: stop at the last hop we can name
    client = chain[i]!;
  }
  headers["x-forwarded-for"] = client;
  delete headers["x-real-ip"];
  delete headers["forwarded"];
}

/** Called once per server process (instrumentation.ts). */
export function checkForwardedHeaders(): void {
  const g = globalThis as { [CHECKED]?: diagnostics.Channel };
  if (g[CHECKED]) return;
  const trusted = parseTrustedProxies(config.trustedProxies);
  // Held on globalThis: a channel nobody references may be garbage-collected with its subscriber.
  const channel = diagnostics.channel("http.server.request.start");
  channel.subscribe((message) => {
    const { request, socket } = message as { request: IncomingMessage; socket: Socket };
    sanitizeForwardedHeaders(request.headers, socket.remoteAddress ?? "", trusted);
  });
  g[CHECKED] = channel;
}

/**
 * The client's address, or null when this process does not check forwarded headers (then
 * X-Forwarded-For may be anything a client typed, and believing it would be worse than nothing).
 */
export function clientIp(headers: { get(name: string): string | null }): string | null {
  if (!(globalThis as { [CHECKED]?: unknown })[CHECKED]) return null;
  return normalizeAddress(headers.get("x-forwarded-for")?.split(",")[0] ?? "") || null;
}

/** True when the X-Forwarded-Host/Proto headers were set by Next.js or a trusted proxy. */
export function forwardedHeadersChecked(): boolean {
  return Boolean((globalThis as { [CHECKED]?: unknown })[CHECKED]);
}

// The benchmark's API baseline (docs/benchmarks.md): GET /api/v1/snapshots/ and
// /api/v1/snapshots/{id}/ with the same JSON as Snapdeck, from the same database, through
// the raw queries of lib/server/bench-baseline-stores.ts instead of Prisma. Served two ways,
// so every API figure has two references:
//  - bench/baseline-server.ts: a bare node:http server (no framework at all);
//  - app/api/floor/[[...path]]/route.ts: a route inside Snapdeck's own Next.js build
//    (the same-framework floor: what any route in this framework costs with these queries),
//    answering 404 unless SNAPDECK_BENCH_FLOOR=1.
// It lives here, not in bench/, because the floor route is part of the product build.
//
// What it shares with Snapdeck (so a new field or rule is one change): the snapshot JSON
// (serializeSnapshot), the next/previous links (pageLinksFrom), the label_selector rules
// (parseLabelSelector), the statuses and page-size limits (lib/schemas/snapshots.ts).
// What it does like Snapdeck: bearer-token lookup by sha256 hash (unknown or revoked tokens
// get 401), the per-tenant filter (members see only their servers' snapshots), the COUNT(*)
// plus page query newest first (on Snapshot.ownerId and its indexes), 404 with the error envelope.
// What it does not: sessions/cookies, zod, last-used-time writes (Snapdeck writes at
// most once a minute), request logging, audit.
import "server-only";
import { createHash } from "node:crypto";
import { serializeSnapshot } from "@/lib/api/serialize";
import { pageLinksFrom } from "@/lib/api/pagination";
import { DEFAULT_PAGE_SIZE, MAX_ID, MAX_PAGE_SIZE, parseLabelSelector, SNAPSHOT_STATUSES } from "@/lib/schemas/snapshots";
import { postgresStore, sqliteStore, type Row, type Store, type Who } from "@/lib/server/bench-baseline-stores";
import type { SnapshotWithServer } from "@/lib/server/snapshots";

export type Answer = { status: number; body: unknown; headers?: Record<string, string> };

export function openStore(url: string): Store {
  return url.startsWith("file:") ? sqliteStore(url) : postgresStore(url);
}

const date = (t: string | Date | null) => (t === null ? null : new Date(t));

/** A raw row as the domain returns a snapshot, for Snapdeck's own serializer. */
function toSnapshot(r: Row): SnapshotWithServer {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    status: r.status,
    sizeMb: r.sizeMb,
    progress: r.progress,
    error: r.error,
    errorCode: r.errorCode,
    createdAt: new Date(r.createdAt),
    completedAt: date(r.completedAt),
    kind: r.kind,
    expiresAt: date(r.expiresAt),
    consistency: r.consistency,
    protected: Boolean(r.protected),
    storedBytes: r.storedBytes === null ? null : BigInt(r.storedBytes),
    labels: r.labels ?? [],
    server: { id: r.serverId, name: r.serverName },
  };
}
const toJson = (r: Row) => serializeSnapshot(toSnapshot(r));

const fail = (status: number, code: string, detail: string, headers?: Record<string, string>): Answer => ({
  status,
  body: { detail, code },
  headers,
});

/** An id or page number as idSchema takes it: decimal digits, 1..MAX_ID; undefined when invalid. */
function positiveInt(raw: string | null, fallback: number | null): number | null | undefined {
  if (raw === null) return fallback;
  return /^[0-9]+$/.test(raw) && Number(raw) >= 1 && Number(raw) <= MAX_ID ? Number(raw) : undefined;
}

async function authenticate(store: Store, header: string | null): Promise<Who | null> {
  const match = header ? /^Bearer +(\S+) *$/i.exec(header) : null;
  if (!match || !match[1]!.startsWith("sdk_") || match[1]!.length > 200) return null;
  return store.token(createHash("sha256").update(match[1]!).digest("hex"));
}

/** The answer to one request; `url` is the request's URL with the /api/v1/... path on the public origin. */
export async function answer(store: Store, method: string, url: URL, authorization: string | null): Promise<Answer> {
  const parts = url.pathname.replace(/\/+$/, "").split("/");
  if (
    method !== "GET" ||
    parts.length < 4 ||
    parts[1] !== "api" ||
    parts[2] !== "v1" ||
    parts[3] !== "snapshots" ||
    parts.length > 5
  )
    return fail(404, "not_found", "Not found.");
  const who = await authenticate(store, authorization);
  if (!who)
    return fail(401, "unauthenticated", "The bearer token is malformed, unknown or revoked.", { "WWW-Authenticate": "Bearer" });
  const owner = who.role === "admin" ? null : who.userId;

  if (parts.length === 5) {
    const id = positiveInt(parts[4]!, null);
    const row = id ? await store.one(id, owner) : null;
    return row ? { status: 200, body: toJson(row) } : fail(404, "not_found", `Snapshot ${parts[4]} not found.`);
  }
  const q = url.searchParams;
  const page = positiveInt(q.get("page"), 1);
  const pageSize = positiveInt(q.get("page_size"), DEFAULT_PAGE_SIZE);
  const serverId = positiveInt(q.get("server_id"), null);
  const status = q.get("status");
  const selector = q.get("label_selector");
  const parsed = selector === null ? { terms: [], errors: [] } : parseLabelSelector(selector);
  if (parsed.errors.length) return fail(400, "validation_error", "Invalid label_selector.");
  if (
    !page ||
    !pageSize ||
    pageSize > MAX_PAGE_SIZE ||
    serverId === undefined ||
    (status !== null && !(SNAPSHOT_STATUSES as readonly string[]).includes(status))
  )
    return fail(400, "validation_error", "Invalid query parameters.");
  const { count, rows } = await store.list({ owner, serverId, status, terms: parsed.terms }, pageSize, (page - 1) * pageSize);
  return { status: 200, body: { count, ...pageLinksFrom(url, page, pageSize, count), results: rows.map(toJson) } };
}

// The API baseline's answers, framework-free: GET /api/v1/snapshots/ and /api/v1/snapshots/{id}/
// with the same JSON as Snapdeck, from the same database, through bench/baseline-stores.ts.
// Served two ways, so every API figure has two references:
//  - bench/baseline-server.ts: a bare node:http server (no framework at all);
//  - app/api/floor/[[...path]]/route.ts: a route inside Snapdeck's own Next.js build
//    (the same-framework floor: what any route in this framework costs with these queries).
//
// What it does, like Snapdeck: bearer-token lookup by sha256 hash (unknown or revoked
// tokens get 401), the per-tenant filter (members see only their servers' snapshots),
// page/page_size/server_id/status/label_selector with the same limits, the COUNT(*) plus page query
// newest first (on Snapshot.ownerId and its indexes, as Snapdeck), next/previous links,
// the same snapshot shape, 404 with the error envelope.
// What it does not: sessions/cookies, zod, last-used-time writes (Snapdeck writes at
// most once a minute), request logging, audit.
import { createHash } from "node:crypto";
import { postgresStore, sqliteStore, type Row, type Store, type Term, type Who } from "./baseline-stores";

export type Answer = { status: number; body: unknown; headers?: Record<string, string> };

export function openStore(url: string): Store {
  return url.startsWith("file:") ? sqliteStore(url) : postgresStore(url);
}

const iso = (t: string | Date | null) => (t === null ? null : new Date(t).toISOString());
function toJson(r: Row) {
  return {
    id: r.id, server: { id: r.serverId, name: r.serverName }, name: r.name, description: r.description, status: r.status,
    size_mb: r.sizeMb, progress: r.progress, error: r.error, error_code: r.errorCode, created_at: iso(r.createdAt), completed_at: iso(r.completedAt),
    labels: Object.fromEntries((r.labels ?? []).map((l) => [l.key, l.value])), protected: Boolean(r.protected), kind: r.kind,
    consistency: r.status === "completed" ? r.consistency : null,
    stored_mb: r.status === "completed" && r.storedBytes !== null ? Math.round((Number(r.storedBytes) / 1048576) * 100) / 100 : null,
    expires_at: iso(r.expiresAt),
  };
}

/** label_selector: k=v, k==v, k!=v, k, !k; null when malformed. */
function parseSelector(raw: string): Term[] | null {
  const terms: Term[] = [];
  for (const part of raw.split(",")) {
    const term = part.trim();
    const m = /^(!?)([a-z0-9][a-z0-9._/-]{0,62})$/.exec(term) ?? /^([a-z0-9][a-z0-9._/-]{0,62})(==|=|!=)([A-Za-z0-9._:/@+-]{0,63})$/.exec(term);
    if (!m) return null;
    if (m.length === 3) terms.push({ op: m[1] ? "absent" : "exists", key: m[2]! });
    else terms.push({ op: m[2] === "!=" ? "ne" : "eq", key: m[1]!, value: m[3]! });
  }
  return terms;
}

const fail = (status: number, code: string, detail: string, headers?: Record<string, string>): Answer => ({ status, body: { detail, code }, headers });

function positiveInt(raw: string | null, fallback: number | null): number | null | undefined {
  if (raw === null) return fallback;
  return /^[0-9]{1,10}$/.test(raw) && Number(raw) >= 1 && Number(raw) <= 2_147_483_647 ? Number(raw) : undefined;
}

async function authenticate(store: Store, header: string | null): Promise<Who | null> {
  const match = header ? /^Bearer +(\S+) *$/i.exec(header) : null;
  if (!match || !match[1]!.startsWith("sdk_") || match[1]!.length > 200) return null;
  return store.token(createHash("sha256").update(match[1]!).digest("hex"));
}

/** The answer to one request; `url` is the request's URL with the /api/v1/... path. */
export async function answer(store: Store, method: string, url: URL, authorization: string | null): Promise<Answer> {
  const parts = url.pathname.replace(/\/+$/, "").split("/");
  if (method !== "GET" || parts.length < 4 || parts[1] !== "api" || parts[2] !== "v1" || parts[3] !== "snapshots" || parts.length > 5)
    return fail(404, "not_found", "Not found.");
  const who = await authenticate(store, authorization);
  if (!who) return fail(401, "unauthenticated", "The bearer token is malformed, unknown or revoked.", { "WWW-Authenticate": "Bearer" });
  const owner = who.role === "admin" ? null : who.userId;

  if (parts.length === 5) {
    const id = positiveInt(parts[4]!, null);
    const row = id ? await store.one(id, owner) : null;
    return row ? { status: 200, body: toJson(row) } : fail(404, "not_found", `Snapshot ${parts[4]} not found.`);
  }
  const q = url.searchParams;
  const page = positiveInt(q.get("page"), 1);
  const pageSize = positiveInt(q.get("page_size"), 20);
  const serverId = positiveInt(q.get("server_id"), null);
  const status = q.get("status");
  const selector = q.get("label_selector");
  const terms = selector === null ? [] : parseSelector(selector);
  if (!terms) return fail(400, "validation_error", "Invalid label_selector.");
  if (!page || !pageSize || pageSize > 100 || serverId === undefined || (status !== null && !["in_progress", "completed", "failed"].includes(status)))
    return fail(400, "validation_error", "Invalid query parameters.");
  const { count, rows } = await store.list({ owner, serverId, status, terms }, pageSize, (page - 1) * pageSize);
  const link = (target: number) => {
    const next = new URL(url);
    next.searchParams.set("page", String(target));
    next.searchParams.set("page_size", String(pageSize));
    return next.toString();
  };
  const lastPage = Math.max(1, Math.ceil(count / pageSize));
  return {
    status: 200,
    body: {
      count,
      next: page < lastPage ? link(page + 1) : null,
      previous: page > 1 ? link(Math.min(page - 1, lastPage)) : null,
      results: rows.map(toJson),
    },
  };
}

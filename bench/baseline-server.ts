// Child process: the API baseline. A minimal node:http server with better-sqlite3 (prepared
// statements, one connection) answering GET /api/v1/snapshots/ and /api/v1/snapshots/{id}/
// with the same JSON as Snapdeck, from the same database file.
//
// What it does, like Snapdeck: bearer-token lookup by sha256 hash (unknown or revoked
// tokens get 401), the per-tenant filter (members see only their servers' snapshots),
// page/page_size/server_id/status with the same limits, the COUNT(*) plus page query
// newest first (on Snapshot.ownerId and its indexes, as Snapdeck), next/previous links,
// the same snapshot shape, 404 with the error envelope.
// What it does not: sessions/cookies, zod, last-used-time writes (Snapdeck writes at
// most once a minute), request logging, audit, Next.js routing and middleware.
//
//   DATABASE_URL=file:… PORT=… tsx bench/baseline-server.ts
import { createServer, type ServerResponse } from "node:http";
import { createHash } from "node:crypto";
import Database from "better-sqlite3";

const db = new Database((process.env.DATABASE_URL ?? "").replace(/^file:/, ""), { readonly: false });
db.pragma("journal_mode = WAL");
db.pragma("busy_timeout = 10000");
db.pragma("optimize = 0x10002"); // as Snapdeck does at start-up: table statistics for the planner

type Row = {
  id: number; serverId: number; serverName: string; name: string; description: string; status: string;
  sizeMb: number | null; progress: number; error: string | null; createdAt: string; completedAt: string | null;
};
type Who = { userId: number; role: string };

const tokenStmt = db.prepare<[string], Who>(
  "SELECT t.userId AS userId, u.role AS role FROM ApiToken t JOIN User u ON u.id = t.userId WHERE t.tokenHash = ? AND t.revokedAt IS NULL",
);
const COLUMNS = `sn.id, sn.serverId, s.name AS serverName, sn.name, sn.description, sn.status, sn.sizeMb, sn.progress,
  sn.error, sn.createdAt, sn.completedAt`;
const FROM = "FROM Snapshot sn JOIN Server s ON s.id = sn.serverId";
type Filter = { owner: number | null; serverId: number | null; status: string | null };

/** One prepared statement pair per combination of filters, so SQLite plans each exactly. */
const listStatements = new Map<string, { count: Database.Statement; page: Database.Statement }>();
function statementsFor(f: Filter) {
  const where = [f.owner !== null && "sn.ownerId = @owner", f.serverId !== null && "sn.serverId = @serverId", f.status !== null && "sn.status = @status"]
    .filter(Boolean)
    .join(" AND ");
  const key = where;
  let found = listStatements.get(key);
  if (!found) {
    // Snapshot.ownerId (a copy of the server's owner, as Snapdeck stores it) lets both
    // queries use the (ownerId[, status], createdAt, id) indexes: the page stops after
    // one page instead of sorting every row of the tenant.
    const clause = where ? `WHERE ${where}` : "";
    found = {
      count: db.prepare(`SELECT COUNT(*) AS n FROM Snapshot sn ${clause}`),
      page: db.prepare(`SELECT ${COLUMNS} ${FROM} ${clause} ORDER BY sn.createdAt DESC, sn.id DESC LIMIT @limit OFFSET @offset`),
    };
    listStatements.set(key, found);
  }
  return found;
}
const oneStmt = { member: db.prepare(`SELECT ${COLUMNS} ${FROM} WHERE sn.id = @id AND sn.ownerId = @owner`), admin: db.prepare(`SELECT ${COLUMNS} ${FROM} WHERE sn.id = @id`) };

const iso = (t: string | null) => (t === null ? null : new Date(t).toISOString());
function toJson(r: Row) {
  return {
    id: r.id, server: { id: r.serverId, name: r.serverName }, name: r.name, description: r.description, status: r.status,
    size_mb: r.sizeMb, progress: r.progress, error: r.error, created_at: iso(r.createdAt), completed_at: iso(r.completedAt),
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store", "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
}
const fail = (res: ServerResponse, status: number, code: string, detail: string, headers?: Record<string, string>) =>
  send(res, status, { detail, code }, headers);

function positiveInt(raw: string | null, fallback: number | null): number | null | undefined {
  if (raw === null) return fallback;
  return /^[0-9]{1,10}$/.test(raw) && Number(raw) >= 1 && Number(raw) <= 2_147_483_647 ? Number(raw) : undefined;
}

function authenticate(header: string | undefined): Who | null {
  const match = header ? /^Bearer +(\S+) *$/i.exec(header) : null;
  if (!match || !match[1]!.startsWith("sdk_") || match[1]!.length > 200) return null;
  return tokenStmt.get(createHash("sha256").update(match[1]!).digest("hex")) ?? null;
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
  const parts = url.pathname.replace(/\/+$/, "").split("/");
  if (req.method !== "GET" || parts.length < 4 || parts[1] !== "api" || parts[2] !== "v1" || parts[3] !== "snapshots" || parts.length > 5)
    return fail(res, 404, "not_found", "Not found.");
  const who = authenticate(req.headers.authorization);
  if (!who) return fail(res, 401, "unauthenticated", "The bearer token is malformed, unknown or revoked.", { "WWW-Authenticate": "Bearer" });
  const owner = who.role === "admin" ? null : who.userId;

  if (parts.length === 5) {
    const id = positiveInt(parts[4]!, null);
    const row = id ? ((owner === null ? oneStmt.admin.get({ id }) : oneStmt.member.get({ id, owner })) as Row | undefined) : undefined;
    return row ? send(res, 200, toJson(row)) : fail(res, 404, "not_found", `Snapshot ${parts[4]} not found.`);
  }
  const q = url.searchParams;
  const page = positiveInt(q.get("page"), 1);
  const pageSize = positiveInt(q.get("page_size"), 20);
  const serverId = positiveInt(q.get("server_id"), null);
  const status = q.get("status");
  if (!page || !pageSize || pageSize > 100 || serverId === undefined || (status !== null && !["in_progress", "completed", "failed"].includes(status)))
    return fail(res, 400, "validation_error", "Invalid query parameters.");
  const filter: Filter = { owner, serverId, status };
  const stmts = statementsFor(filter);
  const bound = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== null));
  const count = (stmts.count.get(bound) as { n: number }).n;
  const rows = stmts.page.all({ ...bound, limit: pageSize, offset: (page - 1) * pageSize }) as Row[];
  const link = (target: number) => {
    const next = new URL(url);
    next.searchParams.set("page", String(target));
    next.searchParams.set("page_size", String(pageSize));
    return next.toString();
  };
  const lastPage = Math.max(1, Math.ceil(count / pageSize));
  send(res, 200, {
    count,
    next: page < lastPage ? link(page + 1) : null,
    previous: page > 1 ? link(Math.min(page - 1, lastPage)) : null,
    results: rows.map(toJson),
  });
});

server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 3999), "127.0.0.1");
for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => server.close(() => process.exit(0)));

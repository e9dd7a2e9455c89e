// The benchmark's API baseline queries (lib/api/bench-baseline.ts), on SQLite (better-sqlite3,
// prepared statements, a connection of its own) or PostgreSQL (pg, a pool as large as Prisma's
// pg adapter uses by default). Both filter on Snapshot.ownerId like Snapdeck, so both sides use
// the same indexes. Read-only, and outside lib/server/db.ts's one client on purpose: it is the
// reference Snapdeck is measured against, used only by bench/ and by the floor route when
// SNAPDECK_BENCH_FLOOR=1.
import "server-only";
import Database from "better-sqlite3";
import pg from "pg";
import type { SelectorTerm } from "@/lib/schemas/snapshots";

export type Row = {
  id: number;
  serverId: number;
  serverName: string;
  name: string;
  description: string;
  status: string;
  sizeMb: number | null;
  progress: number;
  error: string | null;
  errorCode: string | null;
  createdAt: string | Date;
  completedAt: string | Date | null;
  kind: string;
  consistency: string | null;
  protected: number | boolean;
  storedBytes: number | string | bigint | null;
  expiresAt: string | Date | null;
  labels?: Array<{ key: string; value: string }>;
};
/** A label_selector term, as Snapdeck parses it (k=v, k!=v, k, !k). */
export type Term = SelectorTerm;
export type Who = { userId: number; role: string };
export type Filter = { owner: number | null; serverId: number | null; status: string | null; terms: Term[] };
export type Store = {
  token(hash: string): Promise<Who | null>;
  list(f: Filter, limit: number, offset: number): Promise<{ count: number; rows: Row[] }>;
  one(id: number, owner: number | null): Promise<Row | null>;
};

const COLUMNS = [
  "sn.id",
  "sn.serverId",
  "s.name AS serverName",
  "sn.name",
  "sn.description",
  "sn.status",
  "sn.sizeMb",
  "sn.progress",
  "sn.error",
  "sn.errorCode",
  "sn.createdAt",
  "sn.completedAt",
  "sn.kind",
  "sn.consistency",
  "sn.protected",
  "sn.storedBytes",
  "sn.expiresAt",
];
// Each term an EXISTS / NOT EXISTS on SnapshotLabel's primary key (snapshotId, key), as Prisma's `labels: { some | none }` does.
const TERM = (t: Term, i: number) => {
  const match = `SELECT 1 FROM SnapshotLabel l WHERE l.snapshotId = sn.id AND l.key = @k${i}${"value" in t ? ` AND l.value = @v${i}` : ""}`;
  return `${t.op === "eq" || t.op === "exists" ? "" : "NOT "}EXISTS (${match})`;
};
const LABELS = (n: number) =>
  `SELECT l.snapshotId, l.key, l.value FROM SnapshotLabel l WHERE l.snapshotId IN (${Array.from({ length: n }, (_, i) => `@id${i}`).join(", ")}) ORDER BY l.key`;
const TOKEN =
  "SELECT t.userId AS userId, u.role AS role FROM ApiToken t JOIN User u ON u.id = t.userId WHERE t.tokenHash = @hash AND t.revokedAt IS NULL";
const FROM = "FROM Snapshot sn JOIN Server s ON s.id = sn.serverId";
const where = (f: Filter) => {
  const parts = [
    f.owner !== null && "sn.ownerId = @owner",
    f.serverId !== null && "sn.serverId = @serverId",
    f.status !== null && "sn.status = @status",
    ...f.terms.map(TERM),
  ];
  const clause = parts.filter(Boolean).join(" AND ");
  return clause ? `WHERE ${clause}` : "";
};
const COUNT = (f: Filter) => `SELECT COUNT(*) AS n FROM Snapshot sn ${where(f)}`;
// Newest first on the (ownerId[, status], createdAt, id) indexes: the page stops after one page.
const PAGE = (f: Filter) =>
  `SELECT ${COLUMNS.join(", ")} ${FROM} ${where(f)} ORDER BY sn.createdAt DESC, sn.id DESC LIMIT @limit OFFSET @offset`;
const ONE = (owner: number | null) =>
  `SELECT ${COLUMNS.join(", ")} ${FROM} WHERE sn.id = @id${owner === null ? "" : " AND sn.ownerId = @owner"}`;
const bound = (f: Filter) => ({
  ...Object.fromEntries(Object.entries({ owner: f.owner, serverId: f.serverId, status: f.status }).filter(([, v]) => v !== null)),
  ...Object.fromEntries(f.terms.flatMap((t, i) => [[`k${i}`, t.key], ...("value" in t ? [[`v${i}`, t.value]] : [])])),
});
/** Labels of a page's rows in one more query, as Prisma's include does. */
async function withLabels(
  rows: Row[],
  fetch: (sql: string, params: Record<string, unknown>) => Promise<Array<{ snapshotId: number; key: string; value: string }>>,
) {
  if (rows.length === 0) return rows;
  const labels = await fetch(LABELS(rows.length), Object.fromEntries(rows.map((r, i) => [`id${i}`, r.id])));
  for (const r of rows) r.labels = labels.filter((l) => l.snapshotId === r.id);
  return rows;
}

export function sqliteStore(url: string): Store {
  const db = new Database(url.replace(/^file:/, ""));
  db.pragma("journal_mode = WAL");
  db.pragma("busy_timeout = 10000");
  db.pragma("optimize = 0x10002"); // as Snapdeck does at start-up: table statistics for the planner
  const cache = new Map<string, Database.Statement>();
  const prepared = (sql: string) => cache.get(sql) ?? cache.set(sql, db.prepare(sql)).get(sql)!;
  const labelsOf = async (sql: string, params: Record<string, unknown>) =>
    prepared(sql).all(params) as Array<{ snapshotId: number; key: string; value: string }>;
  return {
    token: async (hash) => (prepared(TOKEN).get({ hash }) as Who | undefined) ?? null,
    list: async (f, limit, offset) => ({
      count: (prepared(COUNT(f)).get(bound(f)) as { n: number }).n,
      rows: await withLabels(prepared(PAGE(f)).all({ ...bound(f), limit, offset }) as Row[], labelsOf),
    }),
    one: async (id, owner) => {
      const row = (prepared(ONE(owner)).get(owner === null ? { id } : { id, owner }) as Row | undefined) ?? null;
      return row && (await withLabels([row], labelsOf))[0]!;
    },
  };
}

// TIMESTAMP(3) columns hold UTC wall time (as Prisma writes them): read them as UTC.
pg.types.setTypeParser(pg.types.builtins.TIMESTAMP, (s) => new Date(`${s.replace(" ", "T")}Z`));

/**
 * The same SQL for PostgreSQL: identifiers quoted (they are mixed-case), @names turned into
 * $n, COUNT cast to int. Named prepared statements, as Prisma's pg adapter does not use, would
 * favour the baseline further; plain parameterised queries keep the comparison about the stack.
 */
export function postgresStore(url: string): Store {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const quote = (sql: string) =>
    sql
      .replace(/\b(SnapshotLabel|Snapshot|Server|ApiToken|User)\b(?= [a-z]+\b)/g, '"$1"')
      .replace(/\b([a-z]+)\.([a-zA-Z]+)\b/g, '$1."$2"')
      .replace(/ AS ([a-zA-Z]+)\b/g, ' AS "$1"')
      .replace("COUNT(*)", "COUNT(*)::int");
  const query = async <T extends pg.QueryResultRow>(sql: string, params: Record<string, unknown>): Promise<T[]> => {
    const names: string[] = [];
    const text = quote(sql).replace(/@([a-zA-Z0-9]+)/g, (_, name: string) => {
      if (!names.includes(name)) names.push(name);
      return `$${names.indexOf(name) + 1}`;
    });
    return (
      await pool.query<T>(
        text,
        names.map((n) => params[n]),
      )
    ).rows;
  };
  return {
    token: async (hash) => (await query<Who>(TOKEN, { hash }))[0] ?? null,
    list: async (f, limit, offset) => {
      const [count, rows] = await Promise.all([
        query<{ n: number }>(COUNT(f), bound(f)),
        query<Row>(PAGE(f), { ...bound(f), limit, offset }),
      ]);
      return { count: count[0]!.n, rows: await withLabels(rows, query) };
    },
    one: async (id, owner) => {
      const row = (await query<Row>(ONE(owner), owner === null ? { id } : { id, owner }))[0] ?? null;
      return row && (await withLabels([row], query))[0]!;
    },
  };
}

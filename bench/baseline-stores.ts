// The API baseline's queries, on SQLite (better-sqlite3, prepared statements, one
// connection) or PostgreSQL (pg, a pool as large as Prisma's pg adapter uses by default).
// Both filter on Snapshot.ownerId like Snapdeck, so both sides use the same indexes.
import Database from "better-sqlite3";
import pg from "pg";

export type Row = {
  id: number; serverId: number; serverName: string; name: string; description: string; status: string;
  sizeMb: number | null; progress: number; error: string | null; errorCode: string | null; createdAt: string | Date; completedAt: string | Date | null;
};
export type Who = { userId: number; role: string };
export type Filter = { owner: number | null; serverId: number | null; status: string | null };
export type Store = {
  token(hash: string): Promise<Who | null>;
  list(f: Filter, limit: number, offset: number): Promise<{ count: number; rows: Row[] }>;
  one(id: number, owner: number | null): Promise<Row | null>;
};

const COLUMNS = ["sn.id", "sn.serverId", "s.name AS serverName", "sn.name", "sn.description", "sn.status", "sn.sizeMb", "sn.progress", "sn.error", "sn.errorCode", "sn.createdAt", "sn.completedAt"];
const TOKEN = "SELECT t.userId AS userId, u.role AS role FROM ApiToken t JOIN User u ON u.id = t.userId WHERE t.tokenHash = @hash AND t.revokedAt IS NULL";
const FROM = "FROM Snapshot sn JOIN Server s ON s.id = sn.serverId";
const where = (f: Filter) => {
  const parts = [f.owner !== null && "sn.ownerId = @owner", f.serverId !== null && "sn.serverId = @serverId", f.status !== null && "sn.status = @status"];
  const clause = parts.filter(Boolean).join(" AND ");
  return clause ? `WHERE ${clause}` : "";
};
const COUNT = (f: Filter) => `SELECT COUNT(*) AS n FROM Snapshot sn ${where(f)}`;
// Newest first on the (ownerId[, status], createdAt, id) indexes: the page stops after one page.
const PAGE = (f: Filter) => `SELECT ${COLUMNS.join(", ")} ${FROM} ${where(f)} ORDER BY sn.createdAt DESC, sn.id DESC LIMIT @limit OFFSET @offset`;
const ONE = (owner: number | null) => `SELECT ${COLUMNS.join(", ")} ${FROM} WHERE sn.id = @id${owner === null ? "" : " AND sn.ownerId = @owner"}`;
const bound = (f: Filter) => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== null));

export function sqliteStore(url: string): Store {
  const db = new Database(url.replace(/^file:/, ""));
  db.pragma("journal_mode = WAL");
  db.pragma("busy_timeout = 10000");
  db.pragma("optimize = 0x10002"); // as Snapdeck does at start-up: table statistics for the planner
  const cache = new Map<string, Database.Statement>();
  const prepared = (sql: string) => cache.get(sql) ?? cache.set(sql, db.prepare(sql)).get(sql)!;
  return {
    token: async (hash) => (prepared(TOKEN).get({ hash }) as Who | undefined) ?? null,
    list: async (f, limit, offset) => ({
      count: (prepared(COUNT(f)).get(bound(f)) as { n: number }).n,
      rows: prepared(PAGE(f)).all({ ...bound(f), limit, offset }) as Row[],
    }),
    one: async (id, owner) => (prepared(ONE(owner)).get(owner === null ? { id } : { id, owner }) as Row | undefined) ?? null,
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
      .replace(/\b(Snapshot|Server|ApiToken|User)\b(?= [a-z]+\b)/g, '"$1"')
      .replace(/\b([a-z]+)\.([a-zA-Z]+)\b/g, '$1."$2"')
      .replace(/ AS ([a-zA-Z]+)\b/g, ' AS "$1"')
      .replace("COUNT(*)", "COUNT(*)::int");
  const query = async <T extends pg.QueryResultRow>(sql: string, params: Record<string, unknown>): Promise<T[]> => {
    const names: string[] = [];
    const text = quote(sql).replace(/@([a-zA-Z]+)/g, (_, name: string) => {
      if (!names.includes(name)) names.push(name);
      return `$${names.indexOf(name) + 1}`;
    });
    return (await pool.query<T>(text, names.map((n) => params[n]))).rows;
  };
  return {
    token: async (hash) => (await query<Who>(TOKEN, { hash }))[0] ?? null,
    list: async (f, limit, offset) => {
      const [count, rows] = await Promise.all([query<{ n: number }>(COUNT(f), bound(f)), query<Row>(PAGE(f), { ...bound(f), limit, offset })]);
      return { count: count[0]!.n, rows };
    },
    one: async (id, owner) => (await query<Row>(ONE(owner), owner === null ? { id } : { id, owner }))[0] ?? null,
  };
}

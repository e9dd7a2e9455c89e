// Child process: migrates a fresh database in DATA_DIR and seeds it for the API benchmark.
// Users and tokens go through project code (createUser, createToken); the bulk rows are
// inserted raw in one transaction (better-sqlite3, or pg on PostgreSQL), because seeding 100,000 rows
// through the ORM would take longer than the benchmark itself. No disk files are made:
// the API part never touches the data plane.
//
//   DATA_DIR=… DATABASE_URL=file:…|postgresql://… tsx --conditions=react-server bench/seed-db.ts <servers> <snapshots>
// Snapshots carry labels (bench row "list with label_selector").
// Prints one JSON line: { token, email, password, userId, snapshotIds }.
import Database from "better-sqlite3";
import pg from "pg";

const LOCATIONS = ["fsn1", "nbg1", "hel1", "ash", "hil"];
const STATUSES = ["active", "stopped", "active", "active"];
/** Share of servers owned by the benchmark user; the rest belong to someone else, so the tenant filter has work to do. */
const OWNED_SHARE = 0.9;

function dbTime(ms: number): string {
  // Prisma's SQLite adapter stores DateTime as ISO text with an explicit offset.
  return new Date(ms).toISOString().replace("Z", "+00:00");
}

const SERVER_COLUMNS = ["id", "name", "hostname", "status", "location", "diskMb", "ownerId", "hostId", "createdAt", "updatedAt"];
const SNAPSHOT_COLUMNS = [
  "id",
  "serverId",
  "ownerId",
  "name",
  "description",
  "status",
  "sizeMb",
  "storedBytes",
  "progress",
  "createdAt",
  "completedAt",
];

const LABEL_COLUMNS = ["snapshotId", "key", "value"];
const ENVS = ["prod", "staging", "dev"];

/** Labels as an operator might set them: env on every snapshot, tier on half, keep on 1%. */
function labelRows(snapshotId: number): unknown[][] {
  return [
    [snapshotId, "env", ENVS[snapshotId % 3]],
    ...(snapshotId % 2 === 0 ? [[snapshotId, "tier", snapshotId % 4 === 0 ? "db" : "web"]] : []),
    ...(snapshotId % 100 === 0 ? [[snapshotId, "keep", ""]] : []),
  ];
}

function insertSqlite(url: string, serverRows: unknown[][], snapshotRows: unknown[][], labels: unknown[][]) {
  const db = new Database(url.replace(/^file:/, ""));
  db.pragma("journal_mode = WAL");
  const insert = (table: string, columns: string[]) =>
    db.prepare(`INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`);
  const insertServer = insert("Server", SERVER_COLUMNS);
  const insertSnapshot = insert("Snapshot", SNAPSHOT_COLUMNS);
  const insertLabel = insert("SnapshotLabel", LABEL_COLUMNS);
  db.transaction(() => {
    for (const row of serverRows) insertServer.run(...row);
    for (const row of snapshotRows) insertSnapshot.run(...row);
    for (const row of labels) insertLabel.run(...row);
  })();
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
}

/** PostgreSQL: one INSERT … SELECT FROM unnest(arrays) per table, then ANALYZE, so the planner has statistics (as SQLite's PRAGMA optimize gives it). */
async function insertPostgres(url: string, serverRows: unknown[][], snapshotRows: unknown[][], labels: unknown[][]) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const insert = (table: string, columns: string[], types: string[], rows: unknown[][]) =>
    client.query(
      `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(", ")})`,
      columns.map((_, i) => rows.map((r) => r[i])),
    );
  try {
    await client.query("BEGIN");
    await insert(
      "Server",
      SERVER_COLUMNS,
      ["int", "text", "text", "text", "text", "int", "int", "int", "timestamp", "timestamp"],
      serverRows,
    );
    await insert(
      "Snapshot",
      SNAPSHOT_COLUMNS,
      ["int", "int", "int", "text", "text", "text", "float8", "bigint", "int", "timestamp", "timestamp"],
      snapshotRows,
    );
    await insert("SnapshotLabel", LABEL_COLUMNS, ["int", "text", "text"], labels);
    // The rows above carry their own ids: move the sequences past them.
    for (const table of ["Server", "Snapshot"])
      await client.query(`SELECT setval(pg_get_serial_sequence('"${table}"', 'id'), (SELECT MAX("id") FROM "${table}"))`);
    await client.query("COMMIT");
    await client.query('ANALYZE "Server", "Snapshot", "SnapshotLabel"');
  } finally {
    await client.end();
  }
}

async function main() {
  const servers = Number(process.argv[2]);
  const snapshots = Number(process.argv[3]);
  if (!process.env.DATA_DIR || !process.env.DATABASE_URL) throw new Error("DATA_DIR and DATABASE_URL must be set");
  const { migrateDatabase } = await import("@/lib/server/setup");
  await migrateDatabase();
  const { ensureDb, prisma } = await import("@/lib/server/db");
  await ensureDb();
  const { createUser } = await import("@/lib/server/users");
  const { createToken } = await import("@/lib/server/tokens");
  const email = "bench@example.com";
  const password = "bench-password-1";
  const user = await createUser({ email, password });
  const other = await createUser({ email: "other@example.com", password });
  const { token } = await createToken({ userId: user.id, tokenId: null, ip: null }, { name: "bench", scope: "read" });
  const { getAgentHost } = await import("@/lib/server/hosts");
  const host = await getAgentHost("local");
  await prisma.$disconnect();

  const now = Date.now();
  const serverRows: unknown[][] = [];
  const snapshotRows: unknown[][] = [];
  const snapshotIds: number[] = [];
  for (let id = 1; id <= servers; id++) {
    const owner = id <= servers * OWNED_SHARE ? user.id : other.id;
    const created = dbTime(now - 400 * 86_400_000 + id * 1_000);
    serverRows.push([
      id,
      `web-${String(id).padStart(4, "0")}`,
      `web-${id}.example.net`,
      STATUSES[id % 4],
      LOCATIONS[id % 5],
      20_480,
      owner,
      host.id,
      created,
      created,
    ]);
  }
  // Spread over the last year, one every few minutes, round-robin over servers.
  const step = Math.floor((365 * 86_400_000) / snapshots);
  for (let id = 1; id <= snapshots; id++) {
    const serverId = ((id * 7919) % servers) + 1;
    const ownerId = serverId <= servers * OWNED_SHARE ? user.id : other.id; // as the servers above
    const created = now - 365 * 86_400_000 + id * step;
    const failed = id % 97 === 0;
    const running = id === snapshots;
    const status = running ? "in_progress" : failed ? "failed" : "completed";
    const done = status === "completed";
    snapshotRows.push([
      id,
      serverId,
      ownerId,
      `snap-${id}`,
      `Nightly snapshot ${id} before maintenance window`,
      status,
      done ? 1_000 + (id % 5_000) / 10 : null,
      done ? 500_000_000 + id : null,
      done ? 100 : running ? 40 : 0,
      dbTime(created),
      done ? dbTime(created + 120_000) : null,
    ]);
    if (serverId <= servers * OWNED_SHARE && snapshotIds.length < 200 && id % 7 === 0) snapshotIds.push(id);
  }
  const labels = snapshotRows.flatMap((row) => labelRows(row[0] as number));
  if (process.env.DATABASE_URL.startsWith("file:")) insertSqlite(process.env.DATABASE_URL, serverRows, snapshotRows, labels);
  else await insertPostgres(process.env.DATABASE_URL, serverRows, snapshotRows, labels);
  process.stdout.write(JSON.stringify({ token, email, password, userId: user.id, snapshotIds }) + "\n");
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

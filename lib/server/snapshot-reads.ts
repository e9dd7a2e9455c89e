// The API's two hottest reads, GET /snapshots/ and GET /snapshots/{id}/, each one SQL
// statement per resource through Prisma's $queryRaw (the list adds its COUNT): the snapshot's
// columns, its server's name by a join and its labels as one JSON object by a correlated
// subquery on SnapshotLabel's primary key. Prisma's model API would issue three statements
// per page (snapshots, then servers, then labels) and build the where clause per request;
// docs/benchmarks.md has the figures. The SQL is the same on both databases (quoted
// identifiers) except the JSON aggregate's name.
//
// Snapshot.ownerId (a copy of the server's owner) lets a tenant's page walk the
// (ownerId, createdAt, id) index: the cost is per page, not per tenant. A label_selector
// term is an EXISTS / NOT EXISTS on SnapshotLabel's (snapshotId, key), checked per row of
// that walk.
import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import { databaseProvider, prisma } from "@/lib/server/db";
import { AppError } from "@/lib/server/errors";
import type { Actor } from "@/lib/server/actor";
import type { ListSnapshotsQuery, SelectorTerm } from "@/lib/schemas/snapshots";
import type { SnapshotWithServer } from "@/lib/server/snapshots";

const LABELS =
  databaseProvider === "postgresql"
    ? Prisma.sql`(SELECT json_object_agg(l."key", l."value") FROM "SnapshotLabel" l WHERE l."snapshotId" = sn."id")`
    : Prisma.sql`(SELECT json_group_object(l."key", l."value") FROM "SnapshotLabel" l WHERE l."snapshotId" = sn."id")`;

const SELECT = Prisma.sql`SELECT sn."id", sn."name", sn."description", sn."status", sn."sizeMb", sn."progress", sn."error",
  sn."errorCode", sn."createdAt", sn."completedAt", sn."kind", sn."expiresAt", sn."consistency", sn."protected",
  sn."storedBytes", sn."serverId", s."name" AS "serverName", ${LABELS} AS "labels"
  FROM "Snapshot" sn JOIN "Server" s ON s."id" = sn."serverId"`;

type Row = Omit<SnapshotWithServer, "labels" | "server"> & {
  serverId: number;
  serverName: string;
  labels: string | Record<string, string> | null;
};

function toSnapshot({ serverId, serverName, labels, ...row }: Row): SnapshotWithServer {
  const map: Record<string, string> = typeof labels === "string" ? JSON.parse(labels) : (labels ?? {});
  return {
    ...row,
    labels: Object.keys(map)
      .sort()
      .map((key) => ({ key, value: map[key]! })),
    server: { id: serverId, name: serverName },
  };
}

function selectorTerm(t: SelectorTerm): Prisma.Sql {
  const match = Prisma.sql`SELECT 1 FROM "SnapshotLabel" l WHERE l."snapshotId" = sn."id" AND l."key" = ${t.key}`;
  switch (t.op) {
    case "eq":
      return Prisma.sql`EXISTS (${match} AND l."value" = ${t.value})`;
    case "ne": // as Kubernetes and Hetzner: also matches snapshots without the key
      return Prisma.sql`NOT EXISTS (${match} AND l."value" = ${t.value})`;
    case "exists":
      return Prisma.sql`EXISTS (${match})`;
    case "absent":
      return Prisma.sql`NOT EXISTS (${match})`;
  }
}

function where(conditions: (Prisma.Sql | false)[]): Prisma.Sql {
  const kept = conditions.filter((c): c is Prisma.Sql => c !== false);
  return kept.length ? Prisma.sql`WHERE ${Prisma.join(kept, " AND ")}` : Prisma.empty;
}

const owned = (actor: Actor) => actor.role !== "admin" && Prisma.sql`sn."ownerId" = ${actor.userId}`;

export async function listSnapshots(actor: Actor, query: ListSnapshotsQuery) {
  const filter = where([
    owned(actor),
    query.server_id !== undefined && Prisma.sql`sn."serverId" = ${query.server_id}`,
    query.status !== undefined && Prisma.sql`sn."status" = ${query.status}`,
    ...(query.label_selector ?? []).map(selectorTerm),
  ]);
  const [[counted], rows] = await Promise.all([
    prisma.$queryRaw<{ n: bigint | number }[]>`SELECT COUNT(*) AS "n" FROM "Snapshot" sn ${filter}`,
    prisma.$queryRaw<Row[]>`${SELECT} ${filter} ORDER BY sn."createdAt" DESC, sn."id" DESC
      LIMIT ${query.page_size} OFFSET ${(query.page - 1) * query.page_size}`,
  ]);
  return { count: Number(counted!.n), results: rows.map(toSnapshot) };
}

export async function getSnapshot(actor: Actor, snapshotId: number): Promise<SnapshotWithServer> {
  const [row] = await prisma.$queryRaw<Row[]>`${SELECT} ${where([Prisma.sql`sn."id" = ${snapshotId}`, owned(actor)])}`;
  if (!row) throw new AppError("not_found", `Snapshot ${snapshotId} not found.`);
  return toSnapshot(row);
}

// PATCH of a snapshot (SPEC §6): name, description, labels (replaced as a whole), protected.
// The transaction first takes the server's row lock (an UPDATE of the server row), the same
// lock a create's compare-and-swap takes, so two renames or a rename and a create to one
// name serialise and the second sees the first: exactly one wins, the other gets name_taken.
import "server-only";
import { prisma } from "@/lib/server/db";
import { AppError } from "@/lib/server/errors";
import { assertCanWrite, ownedServers, type Actor } from "@/lib/server/actor";
import { recordAudit } from "@/lib/server/audit";
import { assertNameFree, audited, withServer } from "@/lib/server/snapshots";
import type { UpdateSnapshotInput } from "@/lib/schemas/snapshots";

function describeChanges(before: { name: string; protected: boolean }, input: UpdateSnapshotInput): string {
  const changes: string[] = [];
  if (input.name !== undefined && input.name !== before.name) changes.push(`renamed from ${before.name}`);
  if (input.description !== undefined) changes.push("description");
  if (input.labels !== undefined)
    changes.push(
      `labels ${
        Object.entries(input.labels)
          .map(([k, v]) => (v ? `${k}=${v}` : k))
          .join(",") || "(none)"
      }`,
    );
  if (input.protected !== undefined && input.protected !== before.protected)
    changes.push(input.protected ? "protected" : "unprotected");
  return changes.join("; ") || "no change";
}

export async function updateSnapshot(actor: Actor, snapshotId: number, input: UpdateSnapshotInput) {
  assertCanWrite(actor);
  // The snapshot's server and owner never change, so they can be read before the transaction.
  const found = await prisma.snapshot.findFirst({ where: { id: snapshotId, server: ownedServers(actor) } });
  if (!found) throw new AppError("not_found", `Snapshot ${snapshotId} not found.`);
  const target = { type: "snapshot", id: snapshotId, name: found.name, ownerId: found.ownerId, serverId: found.serverId };
  return audited(actor, "snapshot.update", target, () =>
    prisma.$transaction(async (tx) => {
      // A write first: SQLite's write lock, PostgreSQL's row lock on the server.
      await tx.server.updateMany({ where: { id: found.serverId }, data: { diskMb: { increment: 0 } } });
      const before = await tx.snapshot.findUnique({ where: { id: snapshotId } });
      if (!before) throw new AppError("not_found", `Snapshot ${snapshotId} not found.`);
      if (input.name !== undefined && input.name !== before.name)
        await assertNameFree(tx, before.serverId, input.name, snapshotId);
      // Always a real write (the name at least), conditional on the row: it takes the
      // snapshot's row lock before the labels are touched, and a DELETE that committed
      // meanwhile makes this a 404.
      const { count } = await tx.snapshot.updateMany({
        where: { id: snapshotId },
        data: { name: input.name ?? before.name, description: input.description, protected: input.protected },
      });
      if (count === 0) throw new AppError("not_found", `Snapshot ${snapshotId} not found.`);
      if (input.labels !== undefined) {
        await tx.snapshotLabel.deleteMany({ where: { snapshotId } });
        const rows = Object.entries(input.labels).map(([key, value]) => ({ snapshotId, key, value }));
        if (rows.length) await tx.snapshotLabel.createMany({ data: rows });
      }
      const after = await tx.snapshot.findUniqueOrThrow({ where: { id: snapshotId }, include: withServer });
      await recordAudit(tx, actor, "snapshot.update", { ...target, name: after.name }, "success", describeChanges(before, input));
      return after;
    }),
  );
}

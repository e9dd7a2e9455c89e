// Removal of stored snapshot data, as a durable queue (PendingDeletion rows). A request
// or a failing operation only writes the row, inside the transaction that makes the data
// garbage; workers drain the queue (lib/jobs/deletions.ts).
import "server-only";
import type { Prisma } from "@/lib/generated/prisma/client";

export function enqueueDeletion(tx: Prisma.TransactionClient, snapshotId: number) {
  return tx.pendingDeletion.upsert({ where: { snapshotId }, create: { snapshotId }, update: { notBefore: new Date() } });
}

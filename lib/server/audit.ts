// Audit trail of every state change. Successes are written in the same transaction as
// the change; refusals are written afterwards, best effort.
import type { Prisma } from "@/lib/generated/prisma/client";
import { prisma } from "@/lib/server/db";
import type { Actor } from "@/lib/server/actor";
import { logger } from "@/lib/server/logger";

export type AuditAction =
  | "snapshot.create"
  | "snapshot.restore"
  | "snapshot.delete"
  | "server.stop"
  | "server.start"
  | "token.create"
  | "token.revoke"
  | "schedule.create"
  | "schedule.update"
  | "schedule.delete"
  | "schedule.run"
  | "snapshot.prune"
  | "snapshot.expire";

/** Who acted: a user (userId/tokenId say which), a schedule's run, or Snapdeck itself. */
export type AuditActorType = "user" | "schedule" | "system";

type Db = Prisma.TransactionClient | typeof prisma;

export async function recordAudit(
  db: Db,
  actor: Pick<Actor, "userId" | "tokenId" | "ip"> | null,
  action: AuditAction,
  target: { type: string; id: string | number },
  result: "success" | "failure",
  detail?: string,
  actorType: AuditActorType = "user",
): Promise<void> {
  await db.auditEvent.create({
    data: {
      userId: actor?.userId ?? null,
      tokenId: actor?.tokenId ?? null,
      ip: actor?.ip ?? null,
      action,
      actorType,
      targetType: target.type,
      targetId: String(target.id),
      result,
      detail: detail ?? null,
    },
  });
  logger.info({ audit: { action, target, result, actorType, userId: actor?.userId, tokenId: actor?.tokenId } }, action);
}

/** Records a refused state change without letting an audit failure hide the refusal. */
export async function recordRefusal(actor: Actor, action: AuditAction, target: { type: string; id: string | number }, err: unknown) {
  try {
    await prisma.$transaction((tx) =>
      recordAudit(tx, actor, action, target, "failure", err instanceof Error ? err.message : String(err)),
    );
  } catch (auditErr) {
    logger.error({ err: auditErr }, "could not record audit event");
  }
}

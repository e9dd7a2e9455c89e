// Audit trail of every state change. Successes are written in the same transaction as
// the change; refusals are written afterwards, best effort. Every event names whose
// resource it concerns (ownerId) and the server (serverId), so a member's activity and a
// server's activity tab are each one index walk (lib/server/events.ts reads them).
import "server-only";
import type { Prisma } from "@/lib/generated/prisma/client";
import { prisma } from "@/lib/server/db";
import type { Actor } from "@/lib/server/actor";
import type { AuditAction } from "@/lib/schemas/events";
import { logger } from "@/lib/server/logger";

export type { AuditAction };

/** A user (with the token used, if any), or Snapdeck acting on its own: a schedule's run or the system. */
export type AuditActor = Pick<Actor, "userId" | "tokenId" | "ip"> | "schedule" | "system";

export type AuditTarget = {
  type: string;
  id: string | number;
  /** Its name now, kept on the event (a deleted snapshot's name stays readable). */
  name?: string | null;
  /** Whose resource it is; omitted: the acting user's. */
  ownerId?: number | null;
  serverId?: number | null;
};

type Db = Prisma.TransactionClient | typeof prisma;

export async function recordAudit(
  db: Db,
  actor: AuditActor,
  action: AuditAction,
  target: AuditTarget,
  result: "success" | "failure",
  detail?: string,
): Promise<void> {
  const user = typeof actor === "string" ? null : actor;
  await db.auditEvent.create({
    data: {
      actorType: typeof actor === "string" ? actor : "user",
      userId: user?.userId ?? null,
      tokenId: user?.tokenId ?? null,
      ip: user?.ip ?? null,
      action,
      targetType: target.type,
      targetId: String(target.id),
      targetName: target.name ?? null,
      ownerId: target.ownerId ?? user?.userId ?? null,
      serverId: target.serverId ?? null,
      result,
      detail: detail ?? null,
    },
  });
  logger.info({ audit: { action, target, result, actor: user ?? actor } }, action);
}

/** A refusal's target as far as the caller knew it, completed with its server's owner (and name). */
async function withOwner(target: AuditTarget): Promise<AuditTarget> {
  if (target.ownerId !== undefined || target.serverId == null) return target;
  const server = await prisma.server.findUnique({ where: { id: target.serverId }, select: { ownerId: true, name: true } });
  return { ...target, ownerId: server?.ownerId ?? null, name: target.name ?? (target.type === "server" ? server?.name : null) };
}

/** Records a refused state change without letting an audit failure hide the refusal. */
export async function recordRefusal(actor: AuditActor, action: AuditAction, target: AuditTarget, err: unknown) {
  try {
    const full = await withOwner(target);
    await prisma.$transaction((tx) =>
      recordAudit(tx, actor, action, full, "failure", err instanceof Error ? err.message : String(err)),
    );
  } catch (auditErr) {
    logger.error({ err: auditErr }, "could not record audit event");
  }
}

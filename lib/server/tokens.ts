// API tokens: 32 random bytes shown once, stored only as a SHA-256 hash (a high-entropy
// secret needs no slow hash), looked up by that hash and compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { prisma } from "@/lib/server/db";
import { AppError } from "@/lib/server/errors";
import type { Actor } from "@/lib/server/actor";
import { recordAudit } from "@/lib/server/audit";
import { createTokenSchema, type CreateTokenInput } from "@/lib/schemas/tokens";

const TOKEN_PREFIX = "sdk_";
/** Last-used time is written at most this often, so reads do not turn into writes. */
const LAST_USED_RESOLUTION_MS = 60_000;

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

const DAY_MS = 24 * 60 * 60_000;

/** Creates a token for `userId`; the returned `token` is the only time the secret exists. */
export async function createToken(actor: Pick<Actor, "userId" | "tokenId" | "ip">, input: CreateTokenInput) {
  const { name, scope, expires_in_days: days } = createTokenSchema.parse(input);
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  const expiresAt = days === undefined ? null : new Date(Date.now() + days * DAY_MS);
  return prisma.$transaction(async (tx) => {
    const row = await tx.apiToken.create({
      data: { userId: actor.userId, name, scope, tokenHash: hashToken(token), prefix: token.slice(0, 10), expiresAt },
    });
    const lifetime = days === undefined ? "" : `, expires in ${days} d`;
    await recordAudit(tx, actor, "token.create", { type: "token", id: row.id, name }, "success", `${scope}${lifetime}`);
    return { ...row, token };
  });
}

export async function listTokens(actor: Actor) {
  return prisma.apiToken.findMany({ where: { userId: actor.userId, revokedAt: null }, orderBy: { id: "desc" } });
}

export async function revokeToken(actor: Actor, tokenId: number) {
  return prisma.$transaction(async (tx) => {
    const { count } = await tx.apiToken.updateMany({
      where: { id: tokenId, userId: actor.userId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    if (count === 0) throw new AppError("not_found", "Token not found.");
    const { name } = await tx.apiToken.findUniqueOrThrow({ where: { id: tokenId } });
    await recordAudit(tx, actor, "token.revoke", { type: "token", id: tokenId, name }, "success");
  });
}

/** Resolves a bearer token to its actor, or null when it is unknown, revoked or expired. */
export async function authenticateToken(token: string, ip: string | null): Promise<Actor | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
  const hash = hashToken(token);
  const row = await prisma.apiToken.findUnique({ where: { tokenHash: hash }, include: { user: true } });
  if (!row || row.revokedAt) return null;
  if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) return null;
  if (!timingSafeEqual(Buffer.from(row.tokenHash, "hex"), Buffer.from(hash, "hex"))) return null;
  const now = Date.now();
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await prisma.$transaction([prisma.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date(now) } })]);
  }
  return {
    userId: row.userId,
    email: row.user.email,
    role: row.user.role === "admin" ? "admin" : "member",
    scope: row.scope === "write" ? "write" : "read",
    tokenId: row.id,
    ip,
  };
}

// API tokens: 32 random bytes shown once, stored only as a SHA-256 hash (a high-entropy
// secret needs no slow hash), looked up by that hash. The lookup's timing can only tell a
// guesser about the hashes of their own guesses, which says nothing about a real token.
import "server-only";
import { createHash, randomBytes } from "node:crypto";
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
  await prisma.$transaction(async (tx) => {
    const { count } = await tx.apiToken.updateMany({
      where: { id: tokenId, userId: actor.userId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    if (count === 0) throw new AppError("not_found", "Token not found.");
    const { name } = await tx.apiToken.findUniqueOrThrow({ where: { id: tokenId } });
    await recordAudit(tx, actor, "token.revoke", { type: "token", id: tokenId, name }, "success");
  });
  forgetCachedTokens();
}

/**
 * Token lookups are cached per process for TOKEN_CACHE_MS: a busy automation client then
 * costs one token query a second instead of one per request. Revoking a token clears this
 * process's cache at once (the next request here is refused); every other process (another
 * `next start`, the CLI) sees a revocation, expiry or role change within TOKEN_CACHE_MS.
 * Only tokens that resolved are cached, so random guesses cannot fill the map.
 */
const TOKEN_CACHE_MS = 1_000;
const TOKEN_CACHE_MAX = 10_000;
type CachedToken = {
  actor: Omit<Actor, "ip">;
  expiresAt: number | null;
  lastUsedAt: number | null;
  fetchedAt: number;
};
/**
 * On globalThis: the one cache of the process, whichever route bundle's copy of this module
 * revokes. `generation` is bumped by every forget, so a lookup that read the row before a
 * revocation is not cached after it.
 */
const cacheState = ((
  globalThis as { snapdeckTokenCache?: { entries: Map<string, CachedToken>; generation: number } }
).snapdeckTokenCache ??= { entries: new Map(), generation: 0 });
const tokenCache = cacheState.entries;

/** Forgets every cached token lookup of this process (after a revocation). */
export function forgetCachedTokens(): void {
  cacheState.generation++;
  tokenCache.clear();
}

async function lookUpToken(hash: string, now: number): Promise<CachedToken | null> {
  const cached = tokenCache.get(hash);
  if (cached && now - cached.fetchedAt < TOKEN_CACHE_MS) return cached;
  const generation = cacheState.generation;
  const row = await prisma.apiToken.findUnique({
    where: { tokenHash: hash },
    select: {
      id: true,
      userId: true,
      scope: true,
      revokedAt: true,
      expiresAt: true,
      lastUsedAt: true,
      user: { select: { email: true, role: true } },
    },
  });
  if (!row || row.revokedAt) {
    tokenCache.delete(hash);
    return null;
  }
  if (tokenCache.size >= TOKEN_CACHE_MAX) tokenCache.clear();
  const entry: CachedToken = {
    actor: {
      userId: row.userId,
      email: row.user.email,
      role: row.user.role === "admin" ? "admin" : "member",
      scope: row.scope === "write" ? "write" : "read",
      tokenId: row.id,
    },
    expiresAt: row.expiresAt?.getTime() ?? null,
    lastUsedAt: row.lastUsedAt?.getTime() ?? null,
    fetchedAt: now,
  };
  if (generation === cacheState.generation) tokenCache.set(hash, entry);
  return entry;
}

/** Resolves a bearer token to its actor, or null when it is unknown, revoked or expired. */
export async function authenticateToken(token: string, ip: string | null): Promise<Actor | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
  const hash = hashToken(token);
  const now = Date.now();
  const entry = await lookUpToken(hash, now);
  if (!entry) return null;
  if (entry.expiresAt !== null && entry.expiresAt <= now) return null;
  if (entry.lastUsedAt === null || now - entry.lastUsedAt > LAST_USED_RESOLUTION_MS) {
    entry.lastUsedAt = now;
    await prisma.$transaction([
      prisma.apiToken.update({ where: { id: entry.actor.tokenId! }, data: { lastUsedAt: new Date(now) } }),
    ]);
  }
  return { ...entry.actor, ip };
}

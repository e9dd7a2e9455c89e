// Slows down repeated sign-in attempts per account and per address. Kept in the database
// so every process that shares it agrees. An attempt is CLAIMED before the password is
// checked, in one transaction whose first statement writes the counter rows (SQLite takes
// its write lock, PostgreSQL a row lock), so parallel attempts are counted one after the
// other and never all pass a check made before any of them counted. After a number of free
// attempts in the window (fewer for one account than for one address, which many people
// may share behind a NAT), each further attempt waits for a delay that doubles, from
// 30 s up to MAX_DELAY_MS. A successful sign-in forgets the account and gives the address its
// attempt back.
import "server-only";
import { prisma } from "@/lib/server/db";

const WINDOW_MS = 15 * 60_000;
const FREE_ATTEMPTS = { email: 5, ip: 20 };
/** The first wait after the free attempts; long enough that a burst cannot outlast it. */
const FIRST_DELAY_MS = 30_000;
const MAX_DELAY_MS = 15 * 60_000;

function emailKey(email: string): string {
  return `email:${email.trim().toLowerCase()}`;
}

function keysFor(email: string, ip: string | null): string[] {
  return [emailKey(email), ...(ip ? [`ip:${ip}`] : [])];
}

class Refused extends Error {
  constructor(readonly delayMs: number) {
    super("login attempt refused");
  }
}

/**
 * Claims one sign-in attempt for this account and address. Returns 0 when the password
 * may be checked now, else the milliseconds until another attempt is allowed (nothing is
 * counted then).
 */
export async function claimLoginAttempt(email: string, ip: string | null): Promise<number> {
  const now = new Date();
  try {
    await prisma.$transaction(async (tx) => {
      // Email before address in every transaction: a fixed order cannot deadlock.
      for (const key of keysFor(email, ip)) {
        // A write first (a no-op increment), so the row is locked before it is read.
        const row = await tx.loginThrottle.upsert({
          where: { key },
          create: { key, failures: 0, windowStart: now },
          update: { failures: { increment: 0 } },
        });
        const fresh = now.getTime() - row.windowStart.getTime() > WINDOW_MS;
        if (!fresh && row.blockedUntil && row.blockedUntil > now) throw new Refused(row.blockedUntil.getTime() - now.getTime());
        const attempts = (fresh ? 0 : row.failures) + 1;
        const free = key.startsWith("ip:") ? FREE_ATTEMPTS.ip : FREE_ATTEMPTS.email;
        const delay = attempts >= free ? Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (attempts - free)) : 0;
        await tx.loginThrottle.update({
          where: { key },
          data: {
            failures: attempts,
            windowStart: fresh ? now : row.windowStart,
            blockedUntil: delay ? new Date(now.getTime() + delay) : null,
          },
        });
      }
    });
    return 0;
  } catch (err) {
    if (err instanceof Refused) return err.delayMs;
    throw err;
  }
}

/** After a successful sign-in: the account starts afresh, the address gets its attempt back. */
export async function releaseLoginAttempt(email: string, ip: string | null): Promise<void> {
  await prisma.$transaction(async (tx) => {
    await tx.loginThrottle.deleteMany({ where: { key: emailKey(email) } });
    if (ip)
      await tx.loginThrottle.updateMany({
        where: { key: `ip:${ip}`, failures: { gt: 0 } },
        data: { failures: { decrement: 1 }, blockedUntil: null },
      });
  });
}

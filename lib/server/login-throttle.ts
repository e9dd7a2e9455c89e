// Slows down repeated failed sign-ins per account and per address. Kept in the database
// so every process that shares it agrees. After a number of free failures in the window
// (fewer for one account than for one address, which many people may share behind a
// NAT), each further attempt is refused for a delay that doubles, up to MAX_DELAY_MS.
import { prisma } from "@/lib/server/db";

const WINDOW_MS = 15 * 60_000;
const FREE_FAILURES = { email: 5, ip: 20 };
const MAX_DELAY_MS = 15 * 60_000;

function keysFor(email: string, ip: string | null): string[] {
  return [`email:${email.trim().toLowerCase()}`, ...(ip ? [`ip:${ip}`] : [])];
}

/** Milliseconds until another attempt is allowed for this account or address (0 = now). */
export async function getLoginDelay(email: string, ip: string | null): Promise<number> {
  const rows = await prisma.loginThrottle.findMany({ where: { key: { in: keysFor(email, ip) } } });
  const now = Date.now();
  return Math.max(0, ...rows.map((r) => (r.blockedUntil ? r.blockedUntil.getTime() - now : 0)));
}

export async function recordLoginFailure(email: string, ip: string | null): Promise<void> {
  const now = new Date();
  await prisma.$transaction(async (tx) => {
    for (const key of keysFor(email, ip)) {
      const row = await tx.loginThrottle.findUnique({ where: { key } });
      const fresh = !row || now.getTime() - row.windowStart.getTime() > WINDOW_MS;
      const failures = fresh ? 1 : row.failures + 1;
      const free = key.startsWith("ip:") ? FREE_FAILURES.ip : FREE_FAILURES.email;
      const delay = failures > free ? Math.min(MAX_DELAY_MS, 1000 * 2 ** (failures - free - 1)) : 0;
      const data = {
        failures,
        windowStart: fresh ? now : row.windowStart,
        blockedUntil: delay ? new Date(now.getTime() + delay) : null,
      };
      await tx.loginThrottle.upsert({ where: { key }, create: { key, ...data }, update: data });
    }
  });
}

export async function clearLoginFailures(email: string): Promise<void> {
  await prisma.$transaction([prisma.loginThrottle.deleteMany({ where: { key: keysFor(email, null)[0] } })]);
}

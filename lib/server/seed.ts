// Demo data for an empty database: a demo user and three servers of different sizes and
// power states on the host `local`. Their disks, with mixed content, are made by the local
// agent's provision operations, like every server's.
import "server-only";
import { prisma } from "@/lib/server/db";
import { createUser } from "@/lib/server/users";
import { AppError } from "@/lib/server/errors";
import { createServer } from "@/lib/server/servers";

export const DEMO_USER = { email: "demo@snapdeck.local", password: "snapdeck-demo" } as const;

const DEMO_SERVERS = [
  { name: "web-server-01", status: "active", disk_mb: 4096, location: "fsn1", contentShare: 1 },
  { name: "db-primary", status: "stopped", disk_mb: 2048, location: "nbg1", contentShare: 0.75 },
  { name: "legacy-mail", status: "suspended", disk_mb: 1024, location: "hel1", contentShare: 0.5 },
] as const;

/** Seeds only when no user exists, so a second start keeps everything. Returns whether it seeded. */
export async function seedDemoData(contentMb: number): Promise<boolean> {
  if ((await prisma.user.count()) > 0) return false;
  let user;
  try {
    user = await createUser({ ...DEMO_USER, role: "member" });
  } catch (err) {
    // Another instance starting on the same (PostgreSQL) database seeds it.
    if (err instanceof AppError && err.code === "conflict") return false;
    throw err;
  }
  for (const { contentShare, ...server } of DEMO_SERVERS)
    await createServer(user.id, server, { demoContentMb: Math.max(1, Math.round(contentMb * contentShare)) });
  return true;
}

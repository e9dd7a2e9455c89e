// Demo data for an empty database: a demo user and three servers of different sizes and
// power states, each with a real disk holding mixed content.
import { prisma } from "@/lib/server/db";
import { createUser } from "@/lib/server/users";
import { AppError } from "@/lib/server/errors";
import { createServer } from "@/lib/server/servers";
import { fillDemoDisk } from "@/lib/disks/demo-content";

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
  for (const { contentShare, status, ...server } of DEMO_SERVERS) {
    // Disks are filled while the server is stopped, then put into its demo state.
    const row = await createServer(user.id, { ...server, status: "stopped" });
    await fillDemoDisk(row.id, Math.max(1, Math.round(contentMb * contentShare)));
    if (status !== "stopped") await prisma.$transaction([prisma.server.update({ where: { id: row.id }, data: { status } })]);
  }
  return true;
}

// Seeding and inspection for API tests, through project code where it exists. The test
// process shares the SQLite file with the server it started (WAL mode).
import { setTimeout as sleep } from "node:timers/promises";
import { ensureDb, prisma } from "@/lib/server/db";
import { createUser } from "@/lib/server/users";
import { createServer } from "@/lib/server/servers";
import { createToken } from "@/lib/server/tokens";
import { runOperation } from "@/lib/jobs/runner";

let counter = 0;
export const PASSWORD = "correct-horse-battery";

export type SeededUser = { id: number; email: string; write: string; read: string };

export async function seedUser(role: "admin" | "member" = "member"): Promise<SeededUser> {
  await ensureDb();
  const email = `user${++counter}-${process.pid}@example.test`;
  const user = await createUser({ email, password: PASSWORD, role });
  const actor = { userId: user.id, tokenId: null, ip: null };
  const write = (await createToken(actor, { name: "write", scope: "write" })).token;
  const read = (await createToken(actor, { name: "read", scope: "read" })).token;
  return { id: user.id, email, write, read };
}

/** A server with its (empty) disk: this process runs its provision operation as the local agent would. */
export async function seedServer(
  ownerId: number,
  options: { status?: "active" | "stopped"; name?: string; host?: string; diskMb?: number; contentMb?: number } = {},
) {
  const server = await createServer(
    ownerId,
    {
      name: options.name ?? `srv-${++counter}`,
      status: options.status ?? "stopped",
      disk_mb: options.diskMb ?? 8,
      host: options.host,
    },
    options.contentMb ? { demoContentMb: options.contentMb } : undefined,
  );
  // A file that runs the worker beside it (serveApp({ worker: true })) may see the worker
  // claim the provision first; then it is the worker's to finish.
  if (!(await runOperation(server.operationId))) {
    const op = await waitFor(
      `server ${server.id}'s provision`,
      async () => {
        const row = await prisma.operation.findUniqueOrThrow({ where: { id: server.operationId } });
        return row.status === "completed" || row.status === "failed" ? row : null;
      },
      60_000,
    );
    if (op.status !== "completed") throw new Error(`could not provision server ${server.id}: ${op.errorCode}`);
  }
  return server;
}

/**
 * Marks a snapshot completed as the worker would (for tests that run without a worker):
 * snapshot, its operation and the server's claim change together.
 */
export async function markSnapshotCompleted(snapshotId: number): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const snapshot = await tx.snapshot.update({
      where: { id: snapshotId },
      data: { status: "completed", progress: 100, sizeMb: 1, completedAt: new Date() },
    });
    await tx.operation.updateMany({
      where: { snapshotId, status: { in: ["queued", "running"] } },
      data: { status: "completed", progress: 100, finishedAt: new Date() },
    });
    await tx.server.update({ where: { id: snapshot.serverId }, data: { activeOperationId: null } });
  });
}

export async function setServerStatus(serverId: number, status: string): Promise<void> {
  await prisma.$transaction((tx) => tx.server.update({ where: { id: serverId }, data: { status } }));
}

/** Everything a request could change; equal fingerprints mean nothing changed. */
export async function dbFingerprint() {
  const [users, servers, snapshots, operations, tokens, idempotency, audit] = await Promise.all([
    prisma.user.findMany({ orderBy: { id: "asc" }, select: { id: true, email: true, role: true } }),
    prisma.server.findMany({
      orderBy: { id: "asc" },
      select: { id: true, name: true, status: true, activeOperationId: true, ownerId: true },
    }),
    prisma.snapshot.findMany({
      orderBy: { id: "asc" },
      select: { id: true, serverId: true, name: true, description: true, status: true },
    }),
    prisma.operation.findMany({ orderBy: { id: "asc" }, select: { id: true, status: true } }),
    prisma.apiToken.findMany({ orderBy: { id: "asc" }, select: { id: true, name: true, scope: true, revokedAt: true } }),
    prisma.idempotencyRecord.count(),
    prisma.auditEvent.count(),
  ]);
  return { users, servers, snapshots, operations, tokens, idempotency, audit };
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** Signs in through next-auth's credentials flow and returns the Cookie header to send. */
export async function signIn(baseUrl: string, email: string, password = PASSWORD): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const at = pair!.indexOf("=");
      jar.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const csrfRes = await fetch(`${baseUrl}/api/auth/csrf`);
  keep(csrfRes);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const res = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookie() },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  keep(res);
  if (![...jar.keys()].some((k) => k.endsWith("session-token"))) throw new Error(`sign-in failed (${res.status})`);
  return cookie();
}

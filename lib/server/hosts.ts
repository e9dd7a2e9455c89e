// Hosts (hypervisors) and whether an agent serves them. A host is online while any of its
// agents' heartbeat rows is fresh by the database's clock (agents write heartbeatAt with
// databaseNow too), so a control plane with a skewed clock agrees with the agents.
import "server-only";
import { databaseNow, prisma } from "@/lib/server/db";
import { AppError } from "@/lib/server/errors";
import { isUniqueViolation } from "@/lib/server/db-errors";
import type { Actor } from "@/lib/server/actor";
import type { Prisma } from "@/lib/generated/prisma/client";
import { HYPERVISORS, hostNameSchema, LOCAL_HOST } from "@/lib/schemas/hosts";

/** An agent whose last heartbeat is older than this no longer keeps its host online. */
export const HOST_ONLINE_MS = 15_000;
const RUNNING = "running";

export type HostPresence = { online: boolean; lastSeenAt: Date | null };

function parseName(name: string): string {
  const parsed = hostNameSchema.safeParse(name);
  if (!parsed.success)
    throw new AppError("validation_error", `Host name ${parsed.error.issues[0]!.message}.`, {
      name: [parsed.error.issues[0]!.message],
    });
  return parsed.data;
}

/** A host; a `libvirt` one drives the real guests of the libvirtd at `libvirtUri` (default qemu:///system). */
export async function createHost(name: string, options: { hypervisor?: string; libvirtUri?: string } = {}) {
  const hostName = parseName(name);
  const hypervisor = options.hypervisor ?? "simulated";
  if (!(HYPERVISORS as readonly string[]).includes(hypervisor))
    throw new AppError("validation_error", `Hypervisor must be one of ${HYPERVISORS.join(", ")}, not "${hypervisor}".`);
  if (options.libvirtUri !== undefined && hypervisor !== "libvirt")
    throw new AppError("validation_error", "A libvirt URI applies to a libvirt host only (--hypervisor libvirt).");
  const data = { name: hostName, hypervisor, libvirtUri: options.libvirtUri ?? null };
  try {
    return await prisma.$transaction((tx) => tx.host.create({ data }));
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("conflict", `A host named ${hostName} already exists.`);
    throw err;
  }
}

/**
 * The host a new server goes on. `local` (the embedded setup's host) is made on first use;
 * any other must have been created by an operator, so a typo cannot invent a host no agent serves.
 */
export async function resolveHost(tx: Prisma.TransactionClient, name: string = LOCAL_HOST) {
  const hostName = parseName(name);
  if (hostName === LOCAL_HOST) return tx.host.upsert({ where: { name: hostName }, create: { name: hostName }, update: {} });
  const host = await tx.host.findUnique({ where: { name: hostName } });
  if (!host)
    throw new AppError(
      "not_found",
      `Host ${hostName} does not exist; create it first with: npm run cli -- host create --name ${hostName}`,
    );
  return host;
}

/** An agent starts only for a host that exists (`local` is made on first use). */
export async function getAgentHost(name: string) {
  return prisma.$transaction((tx) => resolveHost(tx, name));
}

/** Presence of the named hosts: online, and the newest heartbeat any agent of theirs wrote. */
export async function hostPresence(names: string[]): Promise<Map<string, HostPresence>> {
  const [now, beats, stopped] = await Promise.all([
    databaseNow(),
    names.length
      ? prisma.workerHeartbeat.groupBy({ by: ["host"], where: { host: { in: names } }, _max: { heartbeatAt: true } })
      : [],
    names.length ? prisma.host.findMany({ where: { name: { in: names } }, select: { name: true, lastSeenAt: true } }) : [],
  ]);
  const beat = new Map(beats.map((b) => [b.host, b._max.heartbeatAt]));
  const stop = new Map(stopped.map((h) => [h.name, h.lastSeenAt]));
  return new Map(
    names.map((name) => {
      const live = beat.get(name) ?? null;
      const stoppedAt = stop.get(name) ?? null;
      const lastSeenAt = live && (!stoppedAt || live > stoppedAt) ? live : stoppedAt;
      // Online only on a fresh heartbeat: a clean stop removes the agent's row.
      return [name, { online: live !== null && now.getTime() - live.getTime() < HOST_ONLINE_MS, lastSeenAt }];
    }),
  );
}

type HostRow = { id: number; name: string; hypervisor: string; _count: { servers: number } };
const WITH_SERVER_COUNT = { _count: { select: { servers: true } } } as const;

function assertAdmin(actor: Actor) {
  if (actor.role !== "admin") throw new AppError("forbidden", "Only administrators can see hosts.");
}

/** Hosts with their presence, server count and operations running now. */
async function describeHosts(hosts: HostRow[]) {
  const [presence, running] = await Promise.all([
    hostPresence(hosts.map((h) => h.name)),
    prisma.operation.findMany({
      where: { status: RUNNING, server: { hostId: { in: hosts.map((h) => h.id) } } },
      select: { server: { select: { hostId: true } } },
    }),
  ]);
  const runningByHost = new Map<number, number>();
  for (const op of running) runningByHost.set(op.server.hostId, (runningByHost.get(op.server.hostId) ?? 0) + 1);
  return hosts.map((h) => ({
    name: h.name,
    hypervisor: h.hypervisor,
    ...presence.get(h.name)!,
    servers: h._count.servers,
    runningOperations: runningByHost.get(h.id) ?? 0,
  }));
}

/** Every host with its presence, server count and operations running now (admins only). */
export async function listHosts(actor: Actor) {
  assertAdmin(actor);
  return describeHosts(await prisma.host.findMany({ orderBy: { name: "asc" }, include: WITH_SERVER_COUNT }));
}

/** One host by name, as listHosts describes it (admins only). */
export async function getHost(actor: Actor, name: string) {
  assertAdmin(actor);
  const host = await prisma.host.findUnique({ where: { name }, include: WITH_SERVER_COUNT });
  if (!host) throw new AppError("not_found", `No host named ${name}.`);
  return (await describeHosts([host]))[0]!;
}

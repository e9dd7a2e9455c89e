// The agent of a libvirt host keeps its servers' rows in step with the hypervisor, every
// SNAPDECK_GUEST_POLL_MS (3 s): the domain's state and whether its guest agent answers, and
// the server's status when nothing holds the server (running or paused → active, shut off
// or crashed → stopped), so a `virsh shutdown` by an operator shows in the API within seconds.
// An operation holding the server owns its status; the hypervisor's view is still recorded.
import "server-only";
import type { Logger } from "pino";
import { prisma } from "@/lib/server/db";
import { DriverError } from "@/lib/disks/driver";
import type { HypervisorState } from "@/lib/disks/libvirt";
import { hostFor } from "@/lib/jobs/guests";

function statusFor(state: HypervisorState): "active" | "stopped" | null {
  if (state === "running" || state === "paused") return "active";
  if (state === "shut_off" || state === "crashed") return "stopped";
  return null; // missing: the row keeps what it knew
}

let warnedUnavailable = false;

export async function observeGuests(log: Logger, hostName: string): Promise<number> {
  const host = await prisma.host.findUnique({
    where: { name: hostName },
    select: { id: true, hypervisor: true, libvirtUri: true },
  });
  if (host?.hypervisor !== "libvirt") return 0;
  const servers = await prisma.server.findMany({
    where: { hostId: host.id, domain: { not: null } },
    select: { id: true, domain: true, status: true, activeOperationId: true, hypervisorState: true, guestAgent: true },
  });
  if (servers.length === 0) return 0;
  const libvirt = hostFor(host.libvirtUri);
  let states: Map<string, HypervisorState>;
  try {
    states = await libvirt.domains();
    warnedUnavailable = false;
  } catch (err) {
    if (!(err instanceof DriverError && err.code === "hypervisor_unavailable")) throw err;
    if (!warnedUnavailable) log.warn({ err }, "libvirtd is not answering; guest states are not updated until it does");
    warnedUnavailable = true;
    return 0;
  }
  let changed = 0;
  for (const server of servers) {
    const state = states.get(server.domain!) ?? "missing";
    const agent =
      state === "running" && (await libvirt.agentResponds(server.domain!).catch(() => false)) ? "responding" : "absent";
    const status = statusFor(state);
    const statusMoves =
      status !== null && !server.activeOperationId && ["active", "stopped"].includes(server.status) && server.status !== status;
    if (!statusMoves && server.hypervisorState === state && server.guestAgent === agent) continue;
    changed++;
    await prisma.$transaction(async (tx) => {
      await tx.server.updateMany({ where: { id: server.id }, data: { hypervisorState: state, guestAgent: agent } });
      // Only while nothing holds the server, checked in the same statement.
      if (statusMoves)
        await tx.server.updateMany({
          where: { id: server.id, activeOperationId: null, status: server.status },
          data: { status: status! },
        });
    });
    if (statusMoves)
      log.info({ serverId: server.id, domain: server.domain, state, status }, "guest state changed outside Snapdeck");
  }
  return changed;
}

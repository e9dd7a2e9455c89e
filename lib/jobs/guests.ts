// The hypervisor seam of the jobs: a server on a `libvirt` host is a guest (its domain on
// that host's libvirtd), and its captures, restores and power actions go through
// lib/disks/guest-data.ts; a server on a `simulated` host is Snapdeck's own image file,
// handled by the disk driver alone, as before.
import "server-only";
import { prisma } from "@/lib/server/db";
import { libvirtHost, type LibvirtHost } from "@/lib/disks/libvirt";
import { captureGuest, type Consistency } from "@/lib/disks/guest-data";
import type { JobContext } from "@/lib/jobs/context";
import type { SnapshotSize } from "@/lib/disks/driver";
import { config } from "@/lib/config";
import { logger } from "@/lib/server/logger";

export type Guest = { host: LibvirtHost; domain: string };

const hosts = new Map<string, LibvirtHost>();
export function hostFor(uri: string | null): LibvirtHost {
  const key = uri ?? "";
  let host = hosts.get(key);
  if (!host) hosts.set(key, (host = libvirtHost(uri)));
  return host;
}

/** The server's guest when its host is a libvirt host, else null (simulated). */
export async function guestOf(serverId: number): Promise<Guest | null> {
  const server = await prisma.server.findUnique({
    where: { id: serverId },
    select: { domain: true, host: { select: { hypervisor: true, libvirtUri: true } } },
  });
  if (server?.host.hypervisor !== "libvirt" || !server.domain) return null;
  return { host: hostFor(server.host.libvirtUri), domain: server.domain };
}

export type Capture = SnapshotSize & { consistency: Consistency; checkpoint: string | null };

/**
 * Captures the server's disk into snapshot `snapshotId`: a guest through its hypervisor, a
 * simulated server through the driver. `stopped`: the server is known to be stopped throughout
 * (a simulated server's consistency comes from its recorded status).
 */
export async function captureServer(
  ctx: JobContext,
  snapshotId: number,
  onProgress: (p: number) => void,
  stopped: boolean,
): Promise<Capture> {
  const args = { serverId: ctx.op.serverId, snapshotId, onProgress, signal: ctx.signal, beforeCommit: ctx.assertLease };
  const guest = await guestOf(ctx.op.serverId);
  if (!guest) {
    const size = await ctx.driver.createSnapshot(args);
    return { ...size, consistency: stopped ? "offline" : "crash-consistent", checkpoint: null };
  }
  // The base of an incremental copy: the newest completed snapshot, as the chunk store inherits.
  const base = await prisma.snapshot.findFirst({
    where: { serverId: ctx.op.serverId, status: "completed", id: { not: snapshotId } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { id: true, checkpoint: true },
  });
  const log = logger.child({ operationId: ctx.op.id, domain: guest.domain });
  const capture = await captureGuest({
    ...args,
    ...guest,
    driver: ctx.driver,
    scratchDir: config.libvirtScratchDir,
    base: base?.checkpoint ? { snapshotId: base.id, checkpoint: base.checkpoint } : null,
    log,
  });
  log.info(
    {
      snapshotId,
      incremental: capture.incremental,
      readBytes: capture.readBytes,
      frozenMs: capture.frozenMs,
      consistency: capture.consistency,
    },
    "guest captured",
  );
  return capture;
}

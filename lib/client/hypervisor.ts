// What the dashboard derives from a server's hypervisor view (SPEC §7): whether it is a
// libvirt guest, and which consistency a snapshot taken now would get.
import type { Server, Snapshot } from "@/lib/schemas/api-responses";

export type Consistency = NonNullable<Snapshot["consistency"]>;

/** A real guest on a libvirt host (its hypervisor's view is in the server JSON); false on simulated hosts. */
export function isGuest(server: Server): boolean {
  return server.hypervisor === "libvirt";
}

/**
 * The consistency a snapshot of a libvirt guest taken now would get, as the capture decides
 * it (lib/disks/guest-data.ts): shut off or crashed → offline; running (or paused) with the
 * guest agent answering → application (its filesystems are frozen as the copy begins);
 * otherwise crash-consistent. Null on simulated servers (their dialog keeps the SPEC §1
 * warning) and on a guest whose domain is missing (the snapshot would fail).
 */
export function expectedConsistency(server: Server): Consistency | null {
  if (!isGuest(server) || server.hypervisor_state === "missing") return null;
  // Not read by the host's agent yet: the recorded status is the best guess.
  const state = server.hypervisor_state ?? (server.status === "stopped" ? "shut_off" : "running");
  if (state === "shut_off" || state === "crashed") return "offline";
  return server.guest_agent === "responding" ? "application" : "crash-consistent";
}

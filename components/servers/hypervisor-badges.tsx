// A libvirt guest's view from its hypervisor, beside the server's status: the domain's state
// and, while it runs, whether the QEMU guest agent answers (snapshots are then
// application-consistent). Simulated servers have no such view and show nothing.
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { isGuest } from "@/lib/client/hypervisor";
import type { Server } from "@/lib/schemas/api-responses";

type HypervisorState = NonNullable<Server["hypervisor_state"]>;

const VM_LOOK: Record<HypervisorState, { tone: BadgeTone; label: string; hint: string }> = {
  running: { tone: "green", label: "running", hint: "The hypervisor reports the VM running." },
  shut_off: { tone: "gray", label: "shut off", hint: "The hypervisor reports the VM shut off." },
  paused: { tone: "amber", label: "paused", hint: "The VM is paused on its host: it keeps its memory but runs nothing." },
  crashed: { tone: "red", label: "crashed", hint: "The VM crashed on its host. Start it again." },
  missing: {
    tone: "red",
    label: "missing",
    hint: "The host's hypervisor has no VM of this name any more; its snapshots stay restorable onto other servers.",
  },
};

export function HypervisorBadges({ server }: { server: Server }) {
  if (!isGuest(server) || !server.hypervisor_state) return null;
  const vm = VM_LOOK[server.hypervisor_state] ?? { tone: "gray" as const, label: server.hypervisor_state, hint: "" };
  // A guest agent only answers in a running VM; "not responding" of a stopped one says nothing.
  const agent = server.hypervisor_state === "running" ? server.guest_agent : null;
  return (
    <>
      <span data-testid="hypervisor-state" title={vm.hint || undefined}>
        <Badge tone={vm.tone}>VM: {vm.label}</Badge>
      </span>
      {agent ? (
        <span
          data-testid="guest-agent"
          title={
            agent === "responding"
              ? "Snapshots freeze the guest's filesystems for well under a second: they are application-consistent."
              : "Snapshots of the running VM are crash-consistent. Run qemu-guest-agent in the guest for application-consistent ones."
          }
        >
          <Badge tone={agent === "responding" ? "green" : "gray"}>
            Guest agent: {agent === "responding" ? "responding" : "not responding"}
          </Badge>
        </span>
      ) : null}
    </>
  );
}

// A snapshot's consistency as a badge: how the files in it relate to what the server's
// applications had written (SPEC §6 and §7). Crash-consistent is the one to be careful with.
import { Badge, type BadgeTone } from "@/components/ui/badge";
import type { Consistency } from "@/lib/client/hypervisor";

export const CONSISTENCY_LOOK: Record<Consistency, { tone: BadgeTone; label: string; hint: string }> = {
  application: {
    tone: "green",
    label: "Application-consistent",
    hint: "The guest agent froze the server's filesystems as the copy began: files are as its applications left them.",
  },
  "crash-consistent": {
    tone: "amber",
    label: "Crash-consistent",
    hint: "Taken while the server ran, without freezing its filesystems: as after a power cut, writes in flight may be missing.",
  },
  offline: {
    tone: "gray",
    label: "Offline",
    hint: "The server was stopped for the whole capture.",
  },
};

export function ConsistencyBadge({
  consistency,
  testId,
  className,
}: {
  consistency: Consistency;
  testId?: string;
  className?: string;
}) {
  const look = CONSISTENCY_LOOK[consistency] ?? { tone: "gray" as const, label: consistency, hint: "" };
  return (
    <span data-testid={testId} title={look.hint || undefined} className={className}>
      <Badge tone={look.tone}>{look.label}</Badge>
    </span>
  );
}

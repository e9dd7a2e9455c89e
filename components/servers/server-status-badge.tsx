import { Badge, type BadgeTone } from "@/components/ui/badge";
import type { ServerStatus } from "@/lib/schemas/servers";

const LOOK: Record<ServerStatus, { tone: BadgeTone; label: string }> = {
  active: { tone: "green", label: "Active" },
  stopped: { tone: "gray", label: "Stopped" },
  suspended: { tone: "amber", label: "Suspended" },
  restoring: { tone: "blue", label: "Restoring" },
};

export function ServerStatusBadge({ status }: { status: ServerStatus }) {
  const look = LOOK[status] ?? { tone: "gray" as const, label: status };
  return (
    <span data-testid="server-status">
      <Badge tone={look.tone} pulse={status === "restoring"}>
        {look.label}
      </Badge>
    </span>
  );
}

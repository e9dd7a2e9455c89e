// A toast when an operation the page watched ends: any operation that was running when the
// page opened, or that started while it was open. Results that were already final when the
// page opened are old news (the failure alert still shows a failed one).
import { useEffect, useRef } from "react";
import { toast } from "sonner";
import type { LastOperation, Server } from "@/lib/schemas/api-responses";
import { OPERATION_KIND_INFO } from "@/lib/schemas/operation-kinds";

const isFinal = (op: LastOperation) => op.status === "completed" || op.status === "failed";

function describe(server: Server, op: LastOperation): string {
  const snapshot = op.snapshot ? ` ${op.snapshot.name}` : "";
  if (op.kind === "provision") return `Disk of ${server.name}`;
  if (op.kind === "server_start") return `Start of ${server.name}`;
  if (op.kind === "server_stop") return `Stop of ${server.name}`;
  return OPERATION_KIND_INFO[op.kind].restore
    ? `Restore of ${server.name} from${snapshot || " a snapshot"}`
    : `Snapshot${snapshot} of ${server.name}`;
}

export function useOperationToasts(server: Server | undefined) {
  const oldNews = useRef<string | null | undefined>(undefined);
  const shown = useRef(new Set<string>());
  useEffect(() => {
    if (!server) return;
    const op = server.last_operation;
    if (oldNews.current === undefined) {
      oldNews.current = op && isFinal(op) ? op.id : null;
      return;
    }
    if (!op || !isFinal(op) || op.id === oldNews.current || shown.current.has(op.id)) return;
    shown.current.add(op.id);
    // A completed operation with a code carries a warning (shutdown_timeout: forced off).
    if (op.status === "completed" && op.error_code)
      toast.warning(`${describe(server, op)} completed with a warning.`, { description: op.error ?? undefined });
    else if (op.status === "completed") toast.success(`${describe(server, op)} completed.`);
    else toast.error(`${describe(server, op)} failed.`, { description: op.error ?? undefined });
  }, [server]);
}

import type { Server } from "@/lib/schemas/api-responses";
import { OPERATION_KIND_INFO } from "@/lib/schemas/operation-kinds";

/** One line about the long-running operation on a server, if any. */
export function OperationNote({ server }: { server: Server }) {
  if (!server.operation) return null;
  return (
    <p className="mt-1 text-xs text-blue-800">
      {server.operation.waiting_for_host
        ? `Waiting for host ${server.operation.waiting_for_host.name}`
        : `${OPERATION_KIND_INFO[server.operation.kind].label} · ${Math.round(server.operation.progress)}%`}
    </p>
  );
}

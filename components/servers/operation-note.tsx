import type { Server, ServerOperation } from "@/lib/schemas/api-responses";
import { OPERATION_KIND_INFO } from "@/lib/schemas/operation-kinds";

function describe(operation: ServerOperation): string {
  if (operation.waiting_for_host) return `Waiting for host ${operation.waiting_for_host.name}`;
  const { label } = OPERATION_KIND_INFO[operation.kind];
  // A guest's power action has no meaningful percentage (ACPI shutdown waits on the guest).
  if (operation.kind === "server_start" || operation.kind === "server_stop") return label;
  return `${label} · ${Math.round(operation.progress)}%`;
}

/** One line about the long-running operation on a server, if any. */
export function OperationNote({ server }: { server: Server }) {
  if (!server.operation) return null;
  return <p className="mt-1 text-xs text-blue-800">{describe(server.operation)}</p>;
}

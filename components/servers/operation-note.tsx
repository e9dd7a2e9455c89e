import type { Server } from "@/lib/schemas/api-responses";

const KIND: Record<string, string> = {
  snapshot_create: "Taking snapshot",
  snapshot_restore: "Restoring snapshot",
  provision: "Creating disk",
};

/** One line about the long-running operation on a server, if any. */
export function OperationNote({ server }: { server: Server }) {
  if (!server.operation) return null;
  return (
    <p className="mt-1 text-xs text-blue-800">
      {server.operation.waiting_for_host
        ? `Waiting for host ${server.operation.waiting_for_host.name}`
        : `${KIND[server.operation.kind] ?? "Operation running"} · ${Math.round(server.operation.progress)}%`}
    </p>
  );
}

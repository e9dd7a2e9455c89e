// The kinds of operation a worker runs, with what people are shown about each. Client-safe
// (no handlers): the dashboard, the response schemas and the failure sentences read it;
// lib/jobs/registry.ts must hold exactly one handler entry per kind (checked by its type).
export const OPERATION_KIND_INFO = {
  snapshot_create: { label: "Taking snapshot", subject: "The snapshot", restore: false },
  snapshot_restore: { label: "Restoring snapshot", subject: "The restore", restore: true },
  scheduled_snapshot: { label: "Taking scheduled snapshot", subject: "The scheduled snapshot", restore: false },
  provision: { label: "Creating disk", subject: "Creating the disk", restore: false },
  server_start: { label: "Starting", subject: "Starting the server", restore: false },
  server_stop: { label: "Stopping", subject: "Stopping the server", restore: false },
} as const satisfies Record<string, { label: string; subject: string; restore: boolean }>;

export type OperationKind = keyof typeof OPERATION_KIND_INFO;
export const OPERATION_KINDS = Object.keys(OPERATION_KIND_INFO) as [OperationKind, ...OperationKind[]];

export function isOperationKind(kind: string): kind is OperationKind {
  return Object.hasOwn(OPERATION_KIND_INFO, kind);
}

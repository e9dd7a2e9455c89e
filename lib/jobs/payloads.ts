// Operation payloads as a discriminated union on Operation.kind. The API writes them
// (lib/server/snapshots.ts); the worker parses them here, once, before dispatching.
export type SnapshotCreatePayload = { kind: "snapshot_create" };
export type SnapshotRestorePayload = { kind: "snapshot_restore"; previousStatus: "active" | "stopped" };
/** diskMb: the new disk's size; demoContentMb: demo content to write on it (0: none). */
export type ProvisionPayload = { kind: "provision"; diskMb: number; demoContentMb: number };
export type JobPayload = SnapshotCreatePayload | SnapshotRestorePayload | ProvisionPayload;
export type JobKind = JobPayload["kind"];

export function parsePayload(kind: string, raw: string): JobPayload {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(raw || "{}") as Record<string, unknown>;
  } catch {
    throw new Error(`Operation payload is not valid JSON: ${raw.slice(0, 80)}`);
  }
  switch (kind) {
    case "snapshot_create":
      return { kind };
    case "snapshot_restore": {
      const previous = data.previousStatus;
      // A server whose previous state is unknown is left stopped: the safe power state.
      return { kind, previousStatus: previous === "active" ? "active" : "stopped" };
    }
    case "provision": {
      const { diskMb, demoContentMb } = data;
      if (typeof diskMb !== "number" || !Number.isInteger(diskMb) || diskMb < 1)
        throw new Error("Provision payload has no disk size.");
      return { kind, diskMb, demoContentMb: typeof demoContentMb === "number" ? demoContentMb : 0 };
    }
    default:
      throw new Error(`Unknown operation kind "${kind}".`);
  }
}

// Shapes of the REST API's JSON (SPEC §2), as the dashboard reads them.
import type { ServerStatus } from "@/lib/schemas/servers";
import type { SnapshotStatus } from "@/lib/schemas/snapshots";
import type { TokenScope } from "@/lib/schemas/tokens";

export type Page<T> = { count: number; next?: string | null; previous?: string | null; results: T[] };

export type ServerOperation = {
  id: number;
  kind: "snapshot_create" | "snapshot_restore";
  status: string;
  progress: number;
};

/** The server's newest operation, kept until the next one (so a failure stays visible). */
export type LastOperation = {
  id: string;
  kind: "snapshot_create" | "snapshot_restore";
  status: "queued" | "running" | "completed" | "failed";
  error: string | null;
  error_code: string | null;
  started_at: string | null;
  finished_at: string | null;
  snapshot: { id: number; name: string } | null;
};

export type Server = {
  id: number;
  name: string;
  hostname: string;
  status: ServerStatus;
  location: string;
  disk_mb: number;
  owner_id: number;
  snapshot_count: number;
  snapshot_limit: number;
  latest_snapshot_at: string | null;
  operation: ServerOperation | null;
  last_operation: LastOperation | null;
  created_at: string;
};

export type Snapshot = {
  id: number;
  server: { id: number; name: string };
  name: string;
  description: string | null;
  status: SnapshotStatus;
  size_mb: number | null;
  progress: number;
  error: string | null;
  error_code: string | null;
  created_at: string;
  completed_at: string | null;
};

export type CreatedSnapshot = Snapshot & { message?: string; warning?: string };

export type RestoreResult = {
  status: "success";
  message: string;
  snapshot: { id: number; name: string; created_at: string };
  server: { id: number; name: string; status: ServerStatus };
};

export type ApiToken = {
  id: number;
  name: string;
  scope: TokenScope;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  expires_at: string | null;
};

export type CreatedApiToken = ApiToken & { token: string };

// One registry of job kinds: each kind's payload schema and handler. The runner, the
// lease and the job context read it instead of switching on kinds, so a new kind is one
// entry here (plus its label in lib/schemas/operation-kinds.ts) and its handler file.
import "server-only";
import { z } from "zod";
import type { Logger } from "pino";
import type { JobContext } from "@/lib/jobs/context";
import type { Failure } from "@/lib/jobs/failures";
import type { OperationKind } from "@/lib/schemas/operation-kinds";
import { failCreateSnapshot, runCreateSnapshot } from "@/lib/jobs/create-snapshot";
import { failRestoreSnapshot, restorePayload, runRestoreSnapshot } from "@/lib/jobs/restore-snapshot";
import { expireSafetySnapshots, runDueSchedules } from "@/lib/jobs/scheduler";
import { failProvision, provisionPayload, runProvision } from "@/lib/jobs/provision";
import { observeGuests } from "@/lib/jobs/guest-states";
import { config } from "@/lib/config";
import { failPower, powerPayload, runStart, runStop } from "@/lib/jobs/power";
import { failScheduledSnapshot, runScheduledSnapshot, scheduledSnapshotPayload } from "@/lib/jobs/scheduled-snapshot";

export type JobDefinition<P> = {
  /**
   * Parses Operation.payload (JSON, written by lib/server). It must accept `{}`: that is
   * what a handler gets when the stored payload is unreadable, so the operation can still
   * be failed and its server released (a schema's defaults say how, e.g. to `stopped`).
   */
  payload: z.ZodType<P>;
  /** Operation.snapshotId is the snapshot this job writes: progress mirrors into it, and a run stopped midway removes its partial data. */
  writesSnapshot: boolean;
  // Method syntax on purpose: the registry holds definitions of different payload types.
  run(ctx: JobContext, payload: P): Promise<void>;
  fail(ctx: JobContext, payload: P, failure: Failure): Promise<void>;
};

function defineJob<P>(definition: JobDefinition<P>): JobDefinition<P> {
  return definition;
}

export const JOBS: { [K in OperationKind]: JobDefinition<unknown> } = {
  snapshot_create: defineJob({
    payload: z.object({}),
    writesSnapshot: true,
    run: (ctx) => runCreateSnapshot(ctx),
    fail: (ctx, _payload, failure) => failCreateSnapshot(ctx, failure),
  }),
  snapshot_restore: defineJob({
    payload: restorePayload,
    writesSnapshot: false,
    run: runRestoreSnapshot,
    fail: failRestoreSnapshot,
  }),
  scheduled_snapshot: defineJob({
    payload: scheduledSnapshotPayload,
    writesSnapshot: true,
    run: runScheduledSnapshot,
    fail: failScheduledSnapshot,
  }),
  provision: defineJob({
    payload: provisionPayload,
    writesSnapshot: false,
    run: runProvision,
    fail: failProvision,
  }),
  server_start: defineJob({ payload: powerPayload, writesSnapshot: false, run: runStart, fail: failPower }),
  server_stop: defineJob({ payload: powerPayload, writesSnapshot: false, run: runStop, fail: failPower }),
};

/**
 * Work every worker does on a timer beside its operations (no slot taken), each task at
 * most one run at a time per process; every task is safe with many processes (CAS claims).
 */
export const PERIODIC_TASKS: { name: string; everyMs: number; run(log: Logger, host: string): Promise<unknown> }[] = [
  { name: "scheduler", everyMs: 1_000, run: runDueSchedules },
  { name: "safety snapshot expiry", everyMs: 10_000, run: expireSafetySnapshots },
  // Per host: an agent of a libvirt host reads its guests' states (changes made outside Snapdeck).
  { name: "guest states", everyMs: config.guestPollMs, run: observeGuests },
];

export function jobDefinition(kind: string): JobDefinition<unknown> | null {
  return Object.hasOwn(JOBS, kind) ? JOBS[kind as OperationKind] : null;
}

/** The payload of an operation, or null when it cannot be read (then `{}` stands in). */
export function parsePayload(definition: JobDefinition<unknown>, raw: string): unknown {
  try {
    return definition.payload.parse(JSON.parse(raw || "{}"));
  } catch {
    return null;
  }
}

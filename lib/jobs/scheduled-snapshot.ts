// scheduled_snapshot: a snapshot_create started by a schedule (lib/server/scheduled-runs.ts).
// The capture is the same; the transaction that ends it also records the schedule's
// last_run and, on success, prunes the server's scheduled snapshots beyond `keep`.
import "server-only";
import { z } from "zod";
import type { JobContext } from "@/lib/jobs/context";
import type { Failure } from "@/lib/jobs/failures";
import { failCreateSnapshot, runCreateSnapshot } from "@/lib/jobs/create-snapshot";
import { finishScheduledRun } from "@/lib/server/scheduled-runs";

export const scheduledSnapshotPayload = z.object({ scheduleId: z.number().int().nullable().catch(null) });
type Payload = z.infer<typeof scheduledSnapshotPayload>;

export function runScheduledSnapshot(ctx: JobContext, payload: Payload): Promise<void> {
  return runCreateSnapshot(ctx, async (tx, snapshotId) => {
    if (payload.scheduleId !== null) await finishScheduledRun(tx, payload.scheduleId, snapshotId, null);
  });
}

export function failScheduledSnapshot(ctx: JobContext, payload: Payload, failure: Failure): Promise<void> {
  return failCreateSnapshot(ctx, failure, async (tx) => {
    if (payload.scheduleId !== null && ctx.op.snapshotId !== null)
      await finishScheduledRun(tx, payload.scheduleId, ctx.op.snapshotId, { failed: failure.message });
  });
}

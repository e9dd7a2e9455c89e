// The durable operation runner: claims operations with a lease, runs their handler, and
// renews the lease every HEARTBEAT_MS while it runs. Any number of workers (processes or
// startWorker calls) can share one database; see lease.ts for why none ever runs an
// operation another one holds.
import { setTimeout as sleep } from "node:timers/promises";
import { logger } from "@/lib/server/logger";
import type { Operation } from "@/lib/generated/prisma/client";
import { getDiskDriver } from "@/lib/disks/get-driver";
import { errorMessage } from "@/lib/disks/fs-util";
import { claimNext, HEARTBEAT_MS, LeaseLostError, MAX_ATTEMPTS, renewLease, requeue } from "@/lib/jobs/lease";
import { createJobContext, type JobContext } from "@/lib/jobs/context";
import { parsePayload, type JobPayload } from "@/lib/jobs/payloads";
import { failCreateSnapshot, runCreateSnapshot } from "@/lib/jobs/create-snapshot";
import { failRestoreSnapshot, runRestoreSnapshot } from "@/lib/jobs/restore-snapshot";
import { startHeartbeat } from "@/lib/jobs/heartbeat";
import { expireDeadLocalLeases, newWorkerId, sweepStore } from "@/lib/jobs/recovery";

class StopRequested extends Error {}

function dispatch(ctx: JobContext, payload: JobPayload) {
  switch (payload.kind) {
    case "snapshot_create":
      return { run: () => runCreateSnapshot(ctx), fail: (e: string) => failCreateSnapshot(ctx, e) };
    case "snapshot_restore":
      return { run: () => runRestoreSnapshot(ctx, payload), fail: (e: string) => failRestoreSnapshot(ctx, payload, e) };
  }
}

async function execute(op: Operation, workerId: string, controller: AbortController): Promise<void> {
  const log = logger.child({ operationId: op.id, kind: op.kind, workerId, attempt: op.attempts });
  const ctx = createJobContext(op, workerId, getDiskDriver(), controller.signal);
  const renewal = setInterval(() => {
    renewLease(op, workerId).then(
      (held) => held || controller.abort(new LeaseLostError(op.id)),
      (err) => log.warn({ err }, "lease renewal failed; retrying"),
    );
  }, HEARTBEAT_MS);
  try {
    let payload: JobPayload;
    try {
      payload = parsePayload(op.kind, op.payload);
    } catch (err) {
      // Nothing to run, but the server must still be released (a restore's to `stopped`).
      const fallback: JobPayload =
        op.kind === "snapshot_restore" ? { kind: "snapshot_restore", previousStatus: "stopped" } : { kind: "snapshot_create" };
      return void (await dispatch(ctx, fallback).fail(errorMessage(err)));
    }
    const handler = dispatch(ctx, payload);
    if (op.attempts > MAX_ATTEMPTS) {
      log.warn("operation interrupted too often; failing it");
      return void (await handler.fail(`The operation was interrupted ${op.attempts - 1} times (the worker stopped or crashed); giving up.`));
    }
    log.info("operation claimed");
    try {
      await handler.run();
      log.info("operation completed");
    } catch (err) {
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : err;
      if (reason instanceof LeaseLostError) return void log.warn("lease lost; leaving the operation to its new owner");
      if (reason instanceof StopRequested) {
        await ctx.driver.cleanupPartial({ serverId: op.serverId, snapshotId: op.kind === "snapshot_create" ? (op.snapshotId ?? undefined) : undefined });
        await requeue(op, workerId);
        return void log.info("worker stopping; operation put back in the queue");
      }
      log.error({ err }, "operation failed");
      await handler.fail(errorMessage(err));
    }
  } catch (err) {
    if (!(err instanceof LeaseLostError)) log.error({ err }, "could not record the operation's outcome; its lease will expire and it will be retried");
  } finally {
    clearInterval(renewal);
  }
}

export function startWorker(opts: { workerId?: string; pollMs?: number; concurrency?: number } = {}): {
  workerId: string;
  stop(): Promise<void>;
} {
  const workerId = opts.workerId ?? newWorkerId();
  const pollMs = opts.pollMs ?? 500;
  const concurrency = opts.concurrency ?? 2;
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  const stopSignal = new AbortController();
  const heartbeat = startHeartbeat(workerId);
  const log = logger.child({ workerId });

  const loop = (async () => {
    await expireDeadLocalLeases().catch((err) => log.warn({ err }, "dead-worker recovery failed"));
    void sweepStore(getDiskDriver()).catch((err) => log.warn({ err }, "store sweep failed"));
    log.info({ concurrency }, "worker started");
    while (!stopSignal.signal.aborted) {
      let op: Operation | null = null;
      if (running.size < concurrency) op = await claimNext(workerId).catch((err) => {
          log.error({ err }, "claim failed");
          return null;
        });
      if (op) {
        const controller = new AbortController();
        const id = op.id;
        const done = execute(op, workerId, controller).finally(() => running.delete(id));
        running.set(id, { controller, done });
        continue;
      }
      await sleep(pollMs, undefined, { signal: stopSignal.signal }).catch(() => {});
    }
  })();

  return {
    workerId,
    async stop() {
      stopSignal.abort();
      await loop;
      for (const job of running.values()) job.controller.abort(new StopRequested());
      await Promise.all([...running.values()].map((j) => j.done));
      await heartbeat.stop();
      log.info("worker stopped");
    },
  };
}

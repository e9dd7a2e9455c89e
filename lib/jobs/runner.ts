// The durable operation runner: claims operations with a lease, runs their handler, and
// renews the lease every HEARTBEAT_MS while it runs. Any number of workers (processes or
// startWorker calls) can share one database; see lease.ts for why none ever runs an
// operation another one holds.
import "server-only";
import { setTimeout as sleep } from "node:timers/promises";
import { logger } from "@/lib/server/logger";
import { isDatabaseUnavailable } from "@/lib/server/db-errors";
import type { Operation } from "@/lib/generated/prisma/client";
import { getDiskDriver } from "@/lib/disks/get-driver";
import { claimNext, claimOperation, HEARTBEAT_MS, LeaseLostError, MAX_ATTEMPTS, renewLease, requeue } from "@/lib/jobs/lease";
import { createJobContext, type JobContext } from "@/lib/jobs/context";
import { jobDefinition, parsePayload, PERIODIC_TASKS } from "@/lib/jobs/registry";
import { startHeartbeat } from "@/lib/jobs/heartbeat";
import { expireDeadLocalLeases, newWorkerId, sweepStore } from "@/lib/jobs/recovery";
import { describeFailure, failureOf } from "@/lib/jobs/failures";
import { drainDeletions } from "@/lib/jobs/deletions";
import { config } from "@/lib/config";

/**
 * How long stop() waits for running handlers to wind down. A handler stuck in I/O (a hung
 * disk) never does; its operation is requeued anyway and the process may exit.
 */
const STOP_GRACE_MS = 8_000;

class StopRequested extends Error {}

/** An operation of a kind this worker does not know (a newer version wrote it): fail it, release its server. */
async function failUnknownKind(ctx: JobContext): Promise<void> {
  await ctx.fail(failureOf("internal_error", null), (tx) =>
    tx.server.updateMany({ where: { id: ctx.op.serverId, activeOperationId: ctx.op.id }, data: { activeOperationId: null } }),
  );
}

async function execute(op: Operation, workerId: string, controller: AbortController): Promise<void> {
  const log = logger.child({ operationId: op.id, kind: op.kind, workerId, attempt: op.attempts });
  const definition = jobDefinition(op.kind);
  const ctx = createJobContext(op, workerId, getDiskDriver(), controller.signal, definition?.writesSnapshot ?? false);
  const renewal = setInterval(() => {
    renewLease(op, workerId).then(
      (held) => held || (clearInterval(renewal), controller.abort(new LeaseLostError(op.id))),
      (err) => log.warn({ err }, "lease renewal failed; retrying"),
    );
  }, HEARTBEAT_MS);
  try {
    if (!definition) {
      log.error("unknown operation kind; failing it");
      return void (await failUnknownKind(ctx));
    }
    const payload = parsePayload(definition, op.payload);
    if (payload === null) {
      // Nothing to run, but the server must still be released (a restore's to `stopped`).
      log.error({ payload: op.payload.slice(0, 200) }, "operation payload unreadable; failing it");
      return void (await definition.fail(ctx, definition.payload.parse({}), failureOf("internal_error", null)));
    }
    if (op.attempts > MAX_ATTEMPTS) {
      log.warn("operation interrupted too often; failing it");
      return void (await definition.fail(ctx, payload, failureOf("interrupted", op.kind)));
    }
    log.info("operation claimed");
    try {
      await definition.run(ctx, payload);
      log.info("operation completed");
    } catch (err) {
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : err;
      if (reason instanceof LeaseLostError) return void log.warn("lease lost; leaving the operation to its new owner");
      // A database outage is not the operation's fault: leave it running, so its lease
      // expires and it is redone (from scratch) once the database is back.
      if (isDatabaseUnavailable(reason))
        return void log.warn({ err: reason }, "database unavailable; the operation will be retried when its lease expires");
      if (reason instanceof StopRequested) {
        // Best effort: on a failing store the cleanup may throw, and the requeue matters more
        // (the next run cleans up before it starts anyway).
        await ctx.driver
          .cleanupPartial({
            serverId: op.serverId,
            snapshotId: definition.writesSnapshot ? (op.snapshotId ?? undefined) : undefined,
          })
          .catch((err) => log.warn({ err }, "cleanup before requeue failed"));
        await requeue(op, workerId, definition.writesSnapshot);
        return void log.info("worker stopping; operation put back in the queue");
      }
      // The raw error (paths, errno) stays in the log; the tenant sees a code and a sentence.
      const failure = describeFailure(err, op.kind);
      log.error({ err, code: failure.code }, "operation failed");
      await definition.fail(ctx, payload, failure);
    }
  } catch (err) {
    if (!(err instanceof LeaseLostError))
      log.error({ err }, "could not record the operation's outcome; its lease will expire and it will be retried");
  } finally {
    clearInterval(renewal);
  }
}

/**
 * Runs one operation now in this process, as an agent would (used where the caller is the
 * agent of the server's host, e.g. tests seeding servers without a worker). False when
 * the operation was not claimable.
 */
export async function runOperation(operationId: string, workerId = newWorkerId()): Promise<boolean> {
  const op = await claimOperation(operationId, workerId);
  if (!op) return false;
  await execute(op, workerId, new AbortController());
  return true;
}

/**
 * An agent: runs the operations of servers on one host (default SNAPDECK_HOST, `local`),
 * with that host's disks under this process's DATA_DIR.
 */
export function startWorker(opts: { workerId?: string; pollMs?: number; concurrency?: number; host?: string } = {}): {
  workerId: string;
  /** Resolves true when every handler wound down, false when some were stuck (and requeued). */
  stop(): Promise<boolean>;
} {
  const workerId = opts.workerId ?? newWorkerId();
  const pollMs = opts.pollMs ?? 500;
  const concurrency = opts.concurrency ?? 2;
  const host = opts.host ?? config.host;
  const running = new Map<string, { op: Operation; controller: AbortController; done: Promise<void> }>();
  let draining: Promise<unknown> | null = null;
  const stopSignal = new AbortController();
  const heartbeat = startHeartbeat(workerId, host);
  const log = logger.child({ workerId, host });
  const periodic = PERIODIC_TASKS.map((task) => ({ ...task, dueAt: 0, running: null as Promise<unknown> | null }));

  const loop = (async () => {
    await expireDeadLocalLeases().catch((err) => log.warn({ err }, "dead-worker recovery failed"));
    void sweepStore(getDiskDriver()).catch((err) => log.warn({ err }, "store sweep failed"));
    log.info({ concurrency }, "worker started");
    while (!stopSignal.signal.aborted) {
      // Deletions run beside the operations (they never take a slot), one drain at a time.
      draining ??= drainDeletions(getDiskDriver(), log)
        .catch((err) => log.warn({ err }, "deletion drain failed"))
        .finally(() => (draining = null));
      for (const task of periodic) {
        if (task.running || Date.now() < task.dueAt) continue;
        task.dueAt = Date.now() + task.everyMs;
        task.running = task
          .run(log, host)
          .catch((err) => log.warn({ err, task: task.name }, "periodic task failed"))
          .finally(() => (task.running = null));
      }
      let op: Operation | null = null;
      if (running.size < concurrency)
        op = await claimNext(workerId, host, [...running.keys()]).catch((err) => {
          log.error({ err }, "claim failed");
          return null;
        });
      if (op) {
        const controller = new AbortController();
        const id = op.id;
        const done = execute(op, workerId, controller).finally(() => running.delete(id));
        running.set(id, { op, controller, done });
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
      const settled = Promise.all([...[...running.values()].map((j) => j.done), draining, ...periodic.map((t) => t.running)]);
      const timedOut = await Promise.race([settled.then(() => false), sleep(STOP_GRACE_MS).then(() => true)]);
      if (timedOut) {
        // Handlers stuck in I/O: take their operations back so another worker redoes them;
        // whatever a stuck handler does later fails the lease check.
        for (const { op } of running.values()) {
          await requeue(op, workerId, jobDefinition(op.kind)?.writesSnapshot ?? false).catch((err) =>
            log.error({ err, operationId: op.id }, "could not requeue"),
          );
          log.warn({ operationId: op.id }, "handler did not stop in time; operation put back in the queue");
        }
      }
      await heartbeat.stop();
      log.info({ clean: !timedOut }, "worker stopped");
      return !timedOut;
    },
  };
}

// server_start / server_stop: power actions on a libvirt guest, run by its host's agent as
// operations (one per server, like snapshots). The API claimed the server and left its
// status as it was; completion records the state the hypervisor reached. `stop` asks the
// guest to shut down (ACPI) and forces it off after SNAPDECK_SHUTDOWN_TIMEOUT_S, which
// completes with the warning `shutdown_timeout` rather than failing.
import "server-only";
import { z } from "zod";
import type { JobContext } from "@/lib/jobs/context";
import type { Prisma } from "@/lib/generated/prisma/client";
import { OperationFailure, type Failure } from "@/lib/jobs/failures";
import { guestOf } from "@/lib/jobs/guests";
import { config } from "@/lib/config";
import { OPERATION_KIND_INFO } from "@/lib/schemas/operation-kinds";

export const powerPayload = z.object({});

export function shutdownWarning(kind: keyof typeof OPERATION_KIND_INFO): Failure {
  const after = kind === "server_stop" ? "" : ` ${OPERATION_KIND_INFO[kind].subject} then went ahead.`;
  return {
    code: "shutdown_timeout",
    message: `The guest did not shut down within ${config.shutdownTimeoutS} s of the ACPI request, so it was forced off (as if its power were cut).${after}`,
  };
}

function release(tx: Prisma.TransactionClient, ctx: JobContext, status?: "active" | "stopped") {
  return tx.server.updateMany({
    where: { id: ctx.op.serverId, activeOperationId: ctx.op.id },
    data: {
      activeOperationId: null,
      ...(status && { status, hypervisorState: status === "active" ? "running" : "shut_off" }),
    },
  });
}

async function guestOrFail(ctx: JobContext) {
  const guest = await guestOf(ctx.op.serverId);
  if (!guest) throw new OperationFailure("unsupported", "Power actions run as operations only on libvirt hosts.");
  return guest;
}

export async function runStart(ctx: JobContext): Promise<void> {
  const guest = await guestOrFail(ctx);
  ctx.progress(10);
  await guest.host.start(guest.domain, ctx.signal);
  await ctx.complete((tx) => release(tx, ctx, "active"));
}

export async function runStop(ctx: JobContext): Promise<void> {
  const guest = await guestOrFail(ctx);
  ctx.progress(10);
  const { forced } = await guest.host.stop(guest.domain, config.shutdownTimeoutS * 1000, ctx.signal);
  await ctx.complete((tx) => release(tx, ctx, "stopped"), forced ? shutdownWarning("server_stop") : undefined);
}

export async function failPower(ctx: JobContext, _payload: unknown, failure: Failure): Promise<void> {
  await ctx.fail(failure, (tx) => release(tx, ctx));
}

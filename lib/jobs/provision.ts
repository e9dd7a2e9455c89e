// provision: makes a new server's disk on its host (the control plane only records the
// server). A retry starts over: the server is new, so a disk left by an interrupted attempt
// holds nothing anyone wrote and is replaced. Demo servers also get their demo content here.
import "server-only";
import { promises as fs } from "node:fs";
import type { JobContext } from "@/lib/jobs/context";
import type { Prisma } from "@/lib/generated/prisma/client";
import { z } from "zod";
import type { Failure } from "@/lib/jobs/failures";
import { fillDemoDisk } from "@/lib/disks/demo-content";

/** diskMb: the new disk's size; demoContentMb: demo content to write on it (0: none). */
export const provisionPayload = z.object({
  diskMb: z.number().int().min(1).default(1),
  demoContentMb: z.number().int().min(0).default(0),
});
export type ProvisionPayload = z.infer<typeof provisionPayload>;

function releaseServer(tx: Prisma.TransactionClient, ctx: JobContext) {
  return tx.server.updateMany({
    where: { id: ctx.op.serverId, activeOperationId: ctx.op.id },
    data: { activeOperationId: null },
  });
}

export async function runProvision(ctx: JobContext, payload: ProvisionPayload): Promise<void> {
  await fs.rm(ctx.driver.diskPath(ctx.op.serverId), { force: true });
  await ctx.driver.createDisk(ctx.op.serverId, payload.diskMb);
  ctx.progress(10);
  if (payload.demoContentMb > 0) await fillDemoDisk(ctx.op.serverId, payload.demoContentMb);
  await ctx.assertLease();
  await ctx.complete((tx) => releaseServer(tx, ctx));
}

export async function failProvision(ctx: JobContext, _payload: ProvisionPayload, failure: Failure): Promise<void> {
  await ctx.fail(failure, (tx) => releaseServer(tx, ctx));
}

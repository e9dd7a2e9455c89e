import type { Metadata } from "next";
import { notFound, redirect } from "next/navigation";
import { cache } from "react";
import { ServerDetail } from "@/components/servers/server-detail";
import { idSchema } from "@/lib/schemas/snapshots";
import { AppError } from "@/lib/server/errors";
import { getServerRow } from "@/lib/server/servers";
import { sessionActor } from "@/lib/server/session";

type Props = { params: Promise<{ serverId: string }> };

/**
 * Looked up on the server, so an unknown or foreign id answers HTTP 404 with the app's
 * not-found page, and the tab title carries the server's name. Once per request (cache).
 */
const loadServer = cache(async (rawId: string) => {
  const parsed = idSchema.safeParse(rawId);
  if (!parsed.success) notFound();
  const actor = await sessionActor();
  if (!actor) redirect("/login");
  try {
    return await getServerRow(actor, parsed.data);
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") notFound();
    throw err;
  }
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const server = await loadServer((await params).serverId);
  return { title: server.name };
}

export default async function ServerPage({ params }: Props) {
  const server = await loadServer((await params).serverId);
  return <ServerDetail serverId={server.id} />;
}

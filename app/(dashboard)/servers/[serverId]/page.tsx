import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ServerDetail } from "@/components/servers/server-detail";
import { idSchema } from "@/lib/schemas/snapshots";

export const metadata: Metadata = { title: "Server" };

export default async function ServerPage({ params }: { params: Promise<{ serverId: string }> }) {
  const parsed = idSchema.safeParse((await params).serverId);
  if (!parsed.success) notFound();
  return <ServerDetail serverId={parsed.data} />;
}

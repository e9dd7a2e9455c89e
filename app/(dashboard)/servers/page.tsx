import type { Metadata } from "next";
import { ServerList } from "@/components/servers/server-list";

export const metadata: Metadata = { title: "Servers" };

export default function ServersPage() {
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-xl font-semibold text-zinc-900">Servers</h1>
        <p className="mt-1 text-sm text-zinc-600">Every server you can manage, with its snapshots.</p>
      </div>
      <ServerList />
    </div>
  );
}

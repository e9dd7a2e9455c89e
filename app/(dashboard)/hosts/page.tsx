import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { HostList } from "@/components/hosts/host-list";
import { sessionActor } from "@/lib/server/session";

export const metadata: Metadata = { title: "Hosts" };

// Admins only; for anyone else the page does not exist (as other people's resources).
export default async function HostsPage() {
  const actor = await sessionActor();
  if (actor?.role !== "admin") notFound();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-xl font-semibold text-zinc-900">Hosts</h1>
        <p className="mt-1 max-w-2xl text-sm text-zinc-600">
          Each hypervisor runs an agent (<code className="font-mono text-zinc-800">npm run agent -- --host NAME</code>) that
          makes, snapshots and restores the disks of its servers. A host is online while one of its agents reported in the last 15
          seconds; operations for an offline host wait until its agent is back.
        </p>
      </div>
      <HostList />
    </div>
  );
}

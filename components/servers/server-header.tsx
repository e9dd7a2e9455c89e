"use client";
import type { ReactNode } from "react";
import Link from "next/link";
import { HypervisorBadges } from "@/components/servers/hypervisor-badges";
import { PowerActions } from "@/components/servers/power-actions";
import { ServerStatusBadge } from "@/components/servers/server-status-badge";
import { formatMb } from "@/components/ui/format";
import { Progress } from "@/components/ui/progress";
import { RelativeTime } from "@/components/ui/relative-time";
import { Elapsed } from "@/components/ui/elapsed";
import type { Server, ServerOperation } from "@/lib/schemas/api-responses";
import { OPERATION_KIND_INFO } from "@/lib/schemas/operation-kinds";

/** A libvirt guest's power action: its progress says little (ACPI shutdown waits on the guest). */
const isPowerOperation = (operation: ServerOperation) => operation.kind === "server_start" || operation.kind === "server_stop";

/** What the operation does; a restore names its snapshot, and the snapshot's server when it is another one. */
function OperationText({ server, operation }: { server: Server; operation: ServerOperation }) {
  const snapshot = operation.snapshot;
  if (operation.kind === "provision") return <>Creating the server&apos;s disk</>;
  if (operation.kind === "server_start") return <>Starting the server</>;
  if (operation.kind === "server_stop")
    return <>Stopping the server: the guest is asked to shut down, and forced off if it does not in time</>;
  if (!OPERATION_KIND_INFO[operation.kind].restore) return <>Taking snapshot{snapshot ? ` ${snapshot.name}` : ""}</>;
  const stays = "; the server stays stopped until it finishes";
  if (snapshot && snapshot.server.id !== server.id)
    return (
      <>
        Restoring from{" "}
        <Link href={`/servers/${snapshot.server.id}`} className="font-medium underline">
          {snapshot.server.name}
        </Link>
        &apos;s snapshot {snapshot.name}
        {stays}
      </>
    );
  return (
    <>
      Restoring from snapshot{snapshot ? ` ${snapshot.name}` : ""}
      {stays}
    </>
  );
}

/** A queued operation whose host has no live agent: say which host and since when. */
function WaitingForHost({ waiting }: { waiting: NonNullable<ServerOperation["waiting_for_host"]> }) {
  return (
    <p data-testid="waiting-for-host" className="mb-2 font-medium">
      Queued: waiting for host {waiting.name}
      {waiting.offline_since ? (
        <>
          {" "}
          (offline since <RelativeTime iso={waiting.offline_since} />)
        </>
      ) : (
        " (no agent has connected yet)"
      )}
      . It starts when the host&apos;s agent is back.
    </p>
  );
}

export function ServerHeader({ server }: { server: Server }) {
  return (
    <div className="space-y-4">
      <nav aria-label="Breadcrumb" className="text-sm text-zinc-600">
        <Link href="/servers" className="hover:text-zinc-900 hover:underline">
          Servers
        </Link>
        <span aria-hidden className="mx-1.5">
          /
        </span>
        <span aria-current="page" className="text-zinc-900">
          {server.name}
        </span>
      </nav>
      <div className="flex flex-col gap-4 rounded-lg border border-zinc-200 bg-white p-4 sm:flex-row sm:items-start sm:justify-between">
        <div className="min-w-0 space-y-2">
          <div className="flex flex-wrap items-center gap-2.5">
            <h1 className="truncate text-xl font-semibold text-zinc-900">{server.name}</h1>
            <ServerStatusBadge status={server.status} />
            <HypervisorBadges server={server} />
          </div>
          <p className="font-mono text-xs break-all text-zinc-600">{server.hostname}</p>
          <dl className="grid grid-cols-2 gap-x-6 gap-y-1 text-sm sm:flex sm:flex-wrap">
            <Meta term="Location" value={server.location} />
            {server.host ? <Meta term="Host" value={server.host} /> : null}
            <Meta term="Disk" value={formatMb(server.disk_mb)} />
            <Meta term="Snapshots" value={`${server.snapshot_count}/${server.snapshot_limit}`} />
            <Meta term="Created" value={<RelativeTime iso={server.created_at} />} />
          </dl>
        </div>
        <PowerActions server={server} />
      </div>
      {server.operation ? (
        <div
          role="status"
          data-testid="operation-banner"
          className="rounded-lg border border-blue-200 bg-blue-50 p-3 text-sm text-blue-900"
        >
          {server.operation.waiting_for_host ? <WaitingForHost waiting={server.operation.waiting_for_host} /> : null}
          {isPowerOperation(server.operation) ? (
            <p>
              <OperationText server={server} operation={server.operation} />.
            </p>
          ) : (
            <>
              <p className="mb-2">
                <OperationText server={server} operation={server.operation} /> ·{" "}
                <span data-testid="operation-progress">{Math.round(server.operation.progress)}%</span>
                {server.operation.started_at ? (
                  // Not read out: the banner is a live region, and this changes every second.
                  <span className="whitespace-nowrap" aria-hidden>
                    {" "}
                    · running for <Elapsed since={server.operation.started_at} />
                  </span>
                ) : null}
              </p>
              <Progress value={server.operation.progress} label="Operation progress" className="bg-blue-200" />
            </>
          )}
        </div>
      ) : null}
      {server.restoring_elsewhere.map((restore) => (
        <div
          key={`${restore.snapshot.id}-${restore.server.id}`}
          role="status"
          data-testid="restoring-elsewhere"
          className="rounded-lg border border-blue-200 bg-blue-50 p-3 text-sm text-blue-900"
        >
          <p>
            {server.name}&apos;s snapshot <span className="font-medium">{restore.snapshot.name}</span> is being restored onto{" "}
            <Link href={`/servers/${restore.server.id}`} className="font-medium underline">
              {restore.server.name}
            </Link>{" "}
            · {Math.round(restore.progress)}%. This server is not touched; the snapshot cannot be deleted until the restore
            finishes.
          </p>
        </div>
      ))}
    </div>
  );
}

function Meta({ term, value }: { term: string; value: ReactNode }) {
  return (
    <div className="flex min-w-0 flex-wrap gap-x-1.5">
      <dt className="text-zinc-600">{term}</dt>
      <dd className="min-w-0 font-medium text-zinc-900 tabular-nums">{value}</dd>
    </div>
  );
}

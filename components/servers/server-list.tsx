"use client";
import Link from "next/link";
import { useMemo, useState } from "react";
import { OperationNote } from "@/components/servers/operation-note";
import { ServerStatusBadge } from "@/components/servers/server-status-badge";
import { formatMb } from "@/components/ui/format";
import { Input } from "@/components/ui/input";
import { RelativeTime } from "@/components/ui/relative-time";
import { EmptyState, ErrorState, LoadingRows } from "@/components/ui/states";
import { TBody, TD, TH, THead, TR, Table } from "@/components/ui/table";
import { useServers } from "@/lib/client/servers";

export function ServerList() {
  const { data, error, isPending, refetch } = useServers();
  const [filter, setFilter] = useState("");
  const servers = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const all = data?.results ?? [];
    if (!needle) return all;
    return all.filter((s) => [s.name, s.hostname, s.status, s.location].some((v) => v.toLowerCase().includes(needle)));
  }, [data, filter]);

  if (isPending) return <LoadingRows label="Loading servers" />;
  if (error) return <ErrorState title="Could not load servers." error={error} onRetry={() => void refetch()} />;
  if (data.results.length === 0) {
    return (
      <EmptyState title="No servers yet">
        Servers you own appear here. An operator can add one with <code className="font-mono">npm run cli -- server create</code>.
      </EmptyState>
    );
  }

  return (
    <div className="space-y-3">
      <div className="flex items-center justify-between gap-3">
        <label htmlFor="server-filter" className="sr-only">
          Filter servers
        </label>
        <Input
          id="server-filter"
          type="search"
          placeholder="Filter by name, hostname, status or location"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          className="max-w-sm"
        />
        <p className="shrink-0 text-xs text-zinc-600" aria-live="polite">
          {servers.length} of {data.results.length}
        </p>
      </div>
      {servers.length === 0 ? (
        <EmptyState title={`No server matches “${filter.trim()}”`}>Try another name, or clear the filter.</EmptyState>
      ) : (
        <Table>
          <caption className="sr-only">Servers</caption>
          <THead>
            <TR>
              <TH>Name</TH>
              <TH>Status</TH>
              <TH className="hidden md:table-cell">Location</TH>
              <TH className="hidden md:table-cell">Disk</TH>
              <TH>Snapshots</TH>
              <TH className="hidden sm:table-cell">Latest snapshot</TH>
            </TR>
          </THead>
          <TBody>
            {servers.map((server) => {
              const full = server.snapshot_count >= server.snapshot_limit;
              return (
                <TR key={server.id} className="hover:bg-zinc-50">
                  <TD>
                    <Link
                      href={`/servers/${server.id}`}
                      className="font-medium [overflow-wrap:anywhere] text-zinc-900 underline-offset-2 hover:underline"
                    >
                      {server.name}
                    </Link>
                    <p className="mt-0.5 font-mono text-xs [overflow-wrap:anywhere] text-zinc-600">{server.hostname}</p>
                    {/* On a phone the Latest snapshot column is hidden; its time moves here. */}
                    <p className="mt-0.5 text-xs text-zinc-600 sm:hidden">
                      Latest snapshot: <RelativeTime iso={server.latest_snapshot_at} />
                    </p>
                  </TD>
                  <TD>
                    <ServerStatusBadge status={server.status} />
                    <OperationNote server={server} />
                  </TD>
                  <TD className="hidden text-zinc-700 md:table-cell">{server.location}</TD>
                  <TD className="hidden text-zinc-700 tabular-nums md:table-cell">{formatMb(server.disk_mb)}</TD>
                  <TD className={full ? "font-medium text-amber-900 tabular-nums" : "text-zinc-700 tabular-nums"}>
                    {server.snapshot_count}/{server.snapshot_limit}
                  </TD>
                  <TD className="hidden text-xs text-zinc-700 sm:table-cell">
                    <RelativeTime iso={server.latest_snapshot_at} />
                  </TD>
                </TR>
              );
            })}
          </TBody>
        </Table>
      )}
    </div>
  );
}

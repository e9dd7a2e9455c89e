"use client";
// The servers list: filter, sort (name, status, latest snapshot; the order is in the URL),
// and whole rows that open the server: the name's link is stretched over its row (an
// ::after box on the `relative` row), so there is still one real link per row for the
// keyboard and screen readers, and nothing interactive is nested inside another.
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useMemo, useState, type ReactNode } from "react";
import { OperationNote } from "@/components/servers/operation-note";
import { ServerStatusBadge } from "@/components/servers/server-status-badge";
import { formatMb } from "@/components/ui/format";
import { Input } from "@/components/ui/input";
import { RelativeTime } from "@/components/ui/relative-time";
import { EmptyState, ErrorState, LoadingRows } from "@/components/ui/states";
import { TBody, TD, TH, THead, TR, Table } from "@/components/ui/table";
import { parseSort, sortQuery, sortServers, toggleSort, type ServerSort, type SortKey } from "@/components/servers/server-sort";
import { useServers } from "@/lib/client/servers";

function SortableTH({
  column,
  sort,
  onSort,
  className,
  children,
}: {
  column: SortKey;
  sort: ServerSort;
  onSort: (key: SortKey) => void;
  className?: string;
  children: ReactNode;
}) {
  const active = sort.key === column;
  return (
    <TH className={className} aria-sort={active ? (sort.order === "asc" ? "ascending" : "descending") : "none"}>
      <button
        type="button"
        onClick={() => onSort(column)}
        className="-mx-1 inline-flex items-center gap-1 rounded px-1 font-medium hover:text-zinc-900"
      >
        {children}
        <span aria-hidden className={active ? "text-zinc-900" : "text-zinc-600"}>
          {active ? (sort.order === "asc" ? "▲" : "▼") : "↕"}
        </span>
      </button>
    </TH>
  );
}

export function ServerList() {
  const { data, error, isPending, refetch } = useServers();
  const [filter, setFilter] = useState("");
  const searchParams = useSearchParams();
  const sort = useMemo(() => parseSort(searchParams), [searchParams]);
  const servers = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const all = data?.results ?? [];
    const matching = needle
      ? all.filter((s) => [s.name, s.hostname, s.status, s.location].some((v) => v.toLowerCase().includes(needle)))
      : all;
    return sortServers(matching, sort);
  }, [data, filter, sort]);

  function onSort(key: SortKey) {
    // Next keeps useSearchParams in step with history.replaceState: no request, no reload.
    const query = sortQuery(new URLSearchParams(window.location.search), toggleSort(sort, key));
    window.history.replaceState(null, "", `${window.location.pathname}${query}`);
  }

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
              <SortableTH column="name" sort={sort} onSort={onSort}>
                Name
              </SortableTH>
              <SortableTH column="status" sort={sort} onSort={onSort}>
                Status
              </SortableTH>
              <TH className="hidden md:table-cell">Location</TH>
              <TH className="hidden md:table-cell">Disk</TH>
              <TH>Snapshots</TH>
              <SortableTH column="latest" sort={sort} onSort={onSort} className="hidden sm:table-cell">
                Latest snapshot
              </SortableTH>
            </TR>
          </THead>
          <TBody>
            {servers.map((server) => {
              const full = server.snapshot_count >= server.snapshot_limit;
              return (
                <TR key={server.id} className="relative cursor-pointer hover:bg-zinc-50">
                  <TD>
                    <Link
                      href={`/servers/${server.id}`}
                      className="font-medium [overflow-wrap:anywhere] text-zinc-900 underline-offset-2 after:absolute after:inset-0 hover:underline focus-visible:after:outline-2 focus-visible:after:-outline-offset-2 focus-visible:after:outline-blue-600"
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

"use client";
// Activity: who (email and token, or a schedule / Snapdeck itself), what, on which
// resource (by name, and the server it is on), the result, when and from where; newest
// first, a page at a time, filtered by action, result and (on the Activity page) server.
import Link from "next/link";
import { useState } from "react";
import { ACTION_LABELS, EventFiltersBar } from "@/components/activity/event-filters";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { RelativeTime } from "@/components/ui/relative-time";
import { EmptyState, ErrorState, LoadingRows } from "@/components/ui/states";
import { TBody, TD, TH, THead, TR, Table } from "@/components/ui/table";
import { EVENTS_PAGE_SIZE, useEvents, type EventFilters } from "@/lib/client/events";
import type { AuditEventView } from "@/lib/schemas/api-responses";

function Who({ actor }: { actor: AuditEventView["actor"] }) {
  if (actor.type === "schedule") return <span className="font-medium text-zinc-900">Schedule</span>;
  if (actor.type === "system") return <span className="font-medium text-zinc-900">Snapdeck</span>;
  return (
    <>
      <span className="block font-medium [overflow-wrap:anywhere] text-zinc-900">{actor.email ?? "deleted user"}</span>
      <span className="text-xs text-zinc-600">{actor.token ? `token ${actor.token}` : "dashboard"}</span>
    </>
  );
}

function Target({ event }: { event: AuditEventView }) {
  const name = event.target.name ?? `#${event.target.id}`;
  // A snapshot or schedule names its server too ("snapshot nightly on web-01").
  const onServer =
    event.server_name !== null && event.target.type !== "server" && event.target.type !== "token"
      ? ` on ${event.server_name}`
      : "";
  const label = `${event.target.type} ${name}${onServer}`;
  if (event.server_id !== null && event.target.type !== "token")
    return (
      <Link href={`/servers/${event.server_id}`} className="[overflow-wrap:anywhere] text-zinc-900 underline decoration-zinc-300">
        {label}
      </Link>
    );
  return <span className="[overflow-wrap:anywhere]">{label}</span>;
}

export function EventList({ serverId = null }: { serverId?: number | null }) {
  const [page, setPage] = useState(1);
  const [filters, setFilters] = useState<EventFilters>({});
  const [serverFilter, setServerFilter] = useState<number | null>(null);
  const { data, error, isPending, refetch } = useEvents(serverId ?? serverFilter, page, filters);
  const filtered = filters.action !== undefined || filters.result !== undefined || serverFilter !== null;
  return (
    <div className="space-y-3">
      <EventFiltersBar
        filters={filters}
        onFilters={(next) => {
          setFilters(next);
          setPage(1);
        }}
        {...(serverId === null && {
          serverId: serverFilter,
          onServerId: (next: number | null) => {
            setServerFilter(next);
            setPage(1);
          },
        })}
      />
      {isPending ? (
        <LoadingRows label="Loading activity" />
      ) : error ? (
        <ErrorState title="Could not load the activity." error={error} onRetry={() => void refetch()} />
      ) : data.count === 0 ? (
        filtered ? (
          <EmptyState title="No activity matches these filters">Choose another action, result or server.</EmptyState>
        ) : (
          <EmptyState title="No activity yet">Snapshots, restores, power actions and tokens show here.</EmptyState>
        )
      ) : (
        <EventTable events={data.results} count={data.count} page={page} onPage={setPage} />
      )}
    </div>
  );
}

function EventTable({
  events,
  count,
  page,
  onPage,
}: {
  events: AuditEventView[];
  count: number;
  page: number;
  onPage: (page: number) => void;
}) {
  const pages = Math.max(1, Math.ceil(count / EVENTS_PAGE_SIZE));
  return (
    <>
      <Table>
        <caption className="sr-only">Activity, newest first</caption>
        <THead>
          <TR>
            <TH>When</TH>
            <TH>Who</TH>
            <TH>What</TH>
            <TH className="hidden md:table-cell">Details</TH>
            <TH className="hidden lg:table-cell">From</TH>
          </TR>
        </THead>
        <TBody>
          {events.map((event) => (
            <TR key={event.id} data-event-action={event.action}>
              <TD className="text-sm whitespace-nowrap text-zinc-700">
                <RelativeTime iso={event.at} exact={false} />
              </TD>
              <TD className="max-w-56 text-sm">
                <Who actor={event.actor} />
              </TD>
              <TD className="text-sm text-zinc-700">
                <span className="flex flex-wrap items-center gap-1.5">
                  <span className="font-medium text-zinc-900">
                    {ACTION_LABELS[event.action as keyof typeof ACTION_LABELS] ?? event.action}
                  </span>
                  {event.result === "failure" ? <Badge tone="red">refused</Badge> : null}
                </span>
                <Target event={event} />
              </TD>
              <TD className="hidden max-w-80 text-xs break-words text-zinc-600 md:table-cell">{event.detail ?? ""}</TD>
              <TD className="hidden font-mono text-xs text-zinc-600 lg:table-cell">{event.ip ?? "—"}</TD>
            </TR>
          ))}
        </TBody>
      </Table>
      {pages > 1 ? (
        <nav aria-label="Activity pages" className="flex items-center justify-end gap-2 text-sm text-zinc-600">
          <Button size="sm" disabled={page <= 1} onClick={() => onPage(page - 1)}>
            Newer
          </Button>
          <span>
            Page {page} of {pages}
          </span>
          <Button size="sm" disabled={page >= pages} onClick={() => onPage(page + 1)}>
            Older
          </Button>
        </nav>
      ) : null}
    </>
  );
}

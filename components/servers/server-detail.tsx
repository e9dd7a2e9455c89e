"use client";
import Link from "next/link";
import { useState } from "react";
import { ServerHeader } from "@/components/servers/server-header";
import { LastOperationAlert } from "@/components/servers/last-operation-alert";
import { CreateSnapshotDialog } from "@/components/snapshots/create-snapshot-dialog";
import { SnapshotTable } from "@/components/snapshots/snapshot-table";
import { UndoRestore } from "@/components/snapshots/undo-restore";
import { ScheduleSection } from "@/components/schedules/schedule-section";
import { EventList } from "@/components/activity/event-list";
import { cn } from "@/components/ui/cn";
import { Button } from "@/components/ui/button";
import { EmptyState, ErrorState, LoadingRows } from "@/components/ui/states";
import { ApiError } from "@/lib/client/api-fetch";
import { isServerBusy } from "@/lib/client/polling";
import { useServer } from "@/lib/client/servers";
import { useOperationToasts } from "@/lib/client/operation-toasts";
import type { Server } from "@/lib/schemas/api-responses";

/** Why "Create snapshot" is unavailable, in words shown next to the button; null when it is available. */
function createBlockedReason(server: Server): string | null {
  if (server.snapshot_count >= server.snapshot_limit)
    return `Snapshot limit reached (${server.snapshot_count}/${server.snapshot_limit}). Delete a snapshot to create a new one.`;
  if (server.status === "restoring") return "The server is being restored. Wait until the restore finishes.";
  if (isServerBusy(server)) return "An operation is running on this server. Wait until it finishes.";
  return null;
}

export function ServerDetail({ serverId }: { serverId: number }) {
  const { data: server, error, isPending, refetch } = useServer(serverId);
  const [creating, setCreating] = useState(false);
  const [tab, setTab] = useState<"snapshots" | "activity">("snapshots");
  useOperationToasts(server);

  if (isPending) return <LoadingRows label="Loading server" />;
  if (error) {
    if (error instanceof ApiError && error.status === 404) {
      return (
        <EmptyState title="Server not found">
          It may have been deleted, or it is not yours.{" "}
          <Link href="/servers" className="text-zinc-900 underline">
            Back to servers
          </Link>
        </EmptyState>
      );
    }
    return <ErrorState title="Could not load the server." error={error} onRetry={() => void refetch()} />;
  }

  const blocked = createBlockedReason(server);
  return (
    <div className="space-y-6">
      <ServerHeader server={server} />
      <LastOperationAlert server={server} />
      <UndoRestore server={server} />
      <div role="tablist" aria-label="Server sections" className="flex gap-1 border-b border-zinc-200">
        {(["snapshots", "activity"] as const).map((id) => (
          <button
            key={id}
            role="tab"
            id={`tab-${id}`}
            aria-selected={tab === id}
            aria-controls={`panel-${id}`}
            onClick={() => setTab(id)}
            className={cn(
              "-mb-px border-b-2 px-3 py-2 text-sm",
              tab === id ? "border-zinc-900 font-medium text-zinc-900" : "border-transparent text-zinc-600 hover:text-zinc-900",
            )}
          >
            {id === "snapshots" ? "Snapshots" : "Activity"}
          </button>
        ))}
      </div>
      {tab === "activity" ? (
        <section id="panel-activity" role="tabpanel" aria-labelledby="tab-activity">
          <EventList serverId={server.id} />
        </section>
      ) : null}
      <section
        id="panel-snapshots"
        role="tabpanel"
        aria-labelledby="snapshots-heading"
        hidden={tab !== "snapshots"}
        className="space-y-3"
      >
        <div className="flex flex-col gap-2 sm:flex-row sm:items-center sm:justify-between">
          <div>
            <h2 id="snapshots-heading" className="text-base font-semibold text-zinc-900">
              Snapshots
            </h2>
            <p className="text-sm text-zinc-600">
              A snapshot captures the whole disk. Restoring one puts the disk back exactly as it was.
            </p>
          </div>
          <div className="flex flex-col items-start gap-1 sm:items-end">
            <Button
              variant="primary"
              disabled={blocked !== null}
              aria-describedby={blocked ? "create-blocked-reason" : undefined}
              onClick={() => setCreating(true)}
            >
              Create snapshot
            </Button>
            {blocked ? (
              <p id="create-blocked-reason" className="max-w-xs text-xs text-amber-900 sm:text-right">
                {blocked}
              </p>
            ) : null}
          </div>
        </div>
        <SnapshotTable server={server} />
      </section>
      {tab === "snapshots" ? <ScheduleSection server={server} /> : null}
      <CreateSnapshotDialog server={server} open={creating} onOpenChange={setCreating} />
    </div>
  );
}

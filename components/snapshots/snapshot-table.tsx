"use client";
import { useState } from "react";
import { DeleteSnapshotDialog } from "@/components/snapshots/delete-snapshot-dialog";
import { RestoreSnapshotDialog } from "@/components/snapshots/restore-snapshot-dialog";
import { SnapshotStatusBadge } from "@/components/snapshots/snapshot-status-badge";
import { Button } from "@/components/ui/button";
import { formatMb } from "@/components/ui/format";
import { RelativeTime } from "@/components/ui/relative-time";
import { EmptyState, ErrorState, LoadingRows } from "@/components/ui/states";
import { TBody, TD, TH, THead, TR, Table } from "@/components/ui/table";
import { isServerBusy } from "@/lib/client/polling";
import { useServerSnapshots } from "@/lib/client/snapshots";
import type { Server, Snapshot } from "@/lib/client/types";

function restoreBlockedReason(server: Server, snapshot: Snapshot): string | null {
  if (snapshot.status !== "completed") return "Only completed snapshots can be restored.";
  if (isServerBusy(server)) return "An operation is running on this server.";
  return null;
}

export function SnapshotTable({ server }: { server: Server }) {
  const { data, error, isPending, refetch } = useServerSnapshots(server.id);
  const [restoring, setRestoring] = useState<Snapshot | null>(null);
  const [deleting, setDeleting] = useState<Snapshot | null>(null);

  if (isPending) return <LoadingRows label="Loading snapshots" />;
  if (error) return <ErrorState title="Could not load snapshots." error={error} onRetry={() => void refetch()} />;
  if (data.results.length === 0) {
    return <EmptyState title="No snapshots yet">Create one before risky changes, so you can go back.</EmptyState>;
  }

  return (
    <>
      <Table>
        <caption className="sr-only">Snapshots of {server.name}</caption>
        <THead>
          <TR>
            <TH>Name</TH>
            <TH>Status</TH>
            <TH className="hidden sm:table-cell">Size</TH>
            <TH className="hidden sm:table-cell">Created</TH>
            <TH className="text-right">
              <span className="sr-only">Actions</span>
            </TH>
          </TR>
        </THead>
        <TBody>
          {data.results.map((snapshot) => {
            const restoreBlocked = restoreBlockedReason(server, snapshot);
            return (
              <TR key={snapshot.id} data-snapshot-name={snapshot.name}>
                <TD className="max-w-72 min-w-32">
                  <p className="font-medium [overflow-wrap:anywhere] text-zinc-900">{snapshot.name}</p>
                  {snapshot.description ? <p className="mt-0.5 text-xs break-words text-zinc-600">{snapshot.description}</p> : null}
                  {/* On a phone the Created column is hidden; the age moves under the name. */}
                  <p className="mt-0.5 text-xs text-zinc-600 sm:hidden">
                    <RelativeTime iso={snapshot.created_at} />
                  </p>
                </TD>
                <TD>
                  <SnapshotStatusBadge snapshot={snapshot} />
                </TD>
                <TD className="hidden text-zinc-700 tabular-nums sm:table-cell">{formatMb(snapshot.size_mb)}</TD>
                <TD className="hidden whitespace-nowrap text-zinc-700 sm:table-cell">
                  <RelativeTime iso={snapshot.created_at} />
                </TD>
                <TD>
                  <div className="flex flex-wrap justify-end gap-1.5">
                    <Button
                      size="sm"
                      disabled={restoreBlocked !== null}
                      title={restoreBlocked ?? undefined}
                      aria-label={`Restore ${snapshot.name}`}
                      onClick={() => setRestoring(snapshot)}
                    >
                      Restore
                    </Button>
                    <Button
                      size="sm"
                      variant="ghost"
                      className="text-red-700 hover:bg-red-50"
                      disabled={snapshot.status === "in_progress"}
                      title={snapshot.status === "in_progress" ? "A snapshot being taken cannot be deleted." : undefined}
                      aria-label={`Delete ${snapshot.name}`}
                      onClick={() => setDeleting(snapshot)}
                    >
                      Delete
                    </Button>
                  </div>
                </TD>
              </TR>
            );
          })}
        </TBody>
      </Table>
      <RestoreSnapshotDialog server={server} snapshot={restoring} onClose={() => setRestoring(null)} />
      <DeleteSnapshotDialog snapshot={deleting} onClose={() => setDeleting(null)} />
    </>
  );
}

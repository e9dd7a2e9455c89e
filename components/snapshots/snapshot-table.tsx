"use client";
import { useState } from "react";
import { DeleteSnapshotDialog } from "@/components/snapshots/delete-snapshot-dialog";
import { RestoreSnapshotDialog } from "@/components/snapshots/restore-snapshot-dialog";
import { SnapshotStatusBadge } from "@/components/snapshots/snapshot-status-badge";
import { SnapshotTimes } from "@/components/snapshots/snapshot-times";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { formatMb } from "@/components/ui/format";
import { EmptyState, ErrorState, LoadingRows } from "@/components/ui/states";
import { TBody, TD, TH, THead, TR, Table } from "@/components/ui/table";
import { isServerBusy } from "@/lib/client/polling";
import { useServerSnapshots, useUpdateSnapshot } from "@/lib/client/snapshots";
import { EditSnapshotDialog } from "@/components/snapshots/edit-snapshot-dialog";
import { LabelFilter, selectorError, useLabelSelectorParam } from "@/components/snapshots/label-filter";
import { LabelChips, LockIcon } from "@/components/snapshots/snapshot-marks";
import type { Server, Snapshot } from "@/lib/schemas/api-responses";
import { OPERATION_KIND_INFO } from "@/lib/schemas/operation-kinds";

/** Why Restore is unavailable for every snapshot of this server; null when it is available. */
export function serverRestoreBlockedReason(server: Server): string | null {
  if (server.status === "suspended") return "Restore is unavailable: the server is suspended.";
  if (server.status === "restoring") return "Restore is unavailable: the server is being restored.";
  if (isServerBusy(server)) return "Restore is unavailable while an operation runs on this server.";
  return null;
}

function restoreBlockedReason(server: Server, snapshot: Snapshot): string | null {
  if (snapshot.status !== "completed") return "Only completed snapshots can be restored.";
  return serverRestoreBlockedReason(server);
}

function deleteBlockedReason(server: Server, snapshot: Snapshot): string | null {
  if (snapshot.protected) return "This snapshot is protected. Unprotect it to delete it.";
  if (snapshot.status === "in_progress") return "A snapshot being taken cannot be deleted.";
  if (server.operation?.snapshot_id === snapshot.id)
    return "This snapshot is being restored; it cannot be deleted until the restore finishes.";
  const elsewhere = server.restoring_elsewhere.find((r) => r.snapshot.id === snapshot.id);
  if (elsewhere)
    return `This snapshot is being restored onto ${elsewhere.server.name}; it cannot be deleted until the restore finishes.`;
  return null;
}

/**
 * The percentage a row in progress shows: the server's running operation's, when the row is
 * what that operation writes (the snapshot it takes, or the safety snapshot a restore takes
 * first), so the row and the banner read the same number from the same response.
 */
function rowProgress(server: Server, snapshot: Snapshot): number {
  const op = server.operation;
  if (!op || snapshot.status !== "in_progress") return snapshot.progress;
  if (op.snapshot_id === snapshot.id) return op.progress;
  if (snapshot.kind === "safety" && OPERATION_KIND_INFO[op.kind].restore) return op.progress;
  return snapshot.progress;
}

/** "5 snapshots, 412 MB stored": the server's share of the store, summed over its snapshots. */
function storedTotal(snapshots: Snapshot[]): string {
  const stored = snapshots.reduce((sum, s) => sum + (s.stored_mb ?? 0), 0);
  return `${snapshots.length} snapshot${snapshots.length === 1 ? "" : "s"}, ${formatMb(stored)} stored`;
}

export function SnapshotTable({ server }: { server: Server }) {
  const [selector, setSelector] = useLabelSelectorParam();
  const { data, error, isPending, refetch } = useServerSnapshots(server, selector);
  const [restoring, setRestoring] = useState<Snapshot | null>(null);
  const [deleting, setDeleting] = useState<Snapshot | null>(null);
  const [editing, setEditing] = useState<Snapshot | null>(null);
  const update = useUpdateSnapshot();

  const filter = <LabelFilter selector={selector} onApply={setSelector} error={error} />;
  if (isPending)
    return (
      <>
        {filter}
        <LoadingRows label="Loading snapshots" />
      </>
    );
  // A selector the API refuses is explained under the filter itself.
  if (error)
    return (
      <>
        {filter}
        {selectorError(error) ? null : (
          <ErrorState title="Could not load snapshots." error={error} onRetry={() => void refetch()} />
        )}
      </>
    );
  if (data.results.length === 0) {
    return (
      // A server without snapshots has nothing to filter.
      selector ? (
        <>
          {filter}
          <EmptyState title="No snapshot matches this label filter">
            Change the filter, or clear it to see every snapshot.
          </EmptyState>
        </>
      ) : (
        <EmptyState title="No snapshots yet">Create one before risky changes, so you can go back.</EmptyState>
      )
    );
  }
  const restoreBlocked = serverRestoreBlockedReason(server);

  return (
    <>
      {filter}
      {restoreBlocked ? (
        <p id="restore-blocked-reason" className="text-xs text-amber-900">
          {restoreBlocked}
        </p>
      ) : null}
      <p className="text-sm text-zinc-600" data-testid="snapshot-totals">
        {storedTotal(data.results)}
        {selector ? " (filtered by label)" : null}
      </p>
      <Table>
        <caption className="sr-only">Snapshots of {server.name}</caption>
        <THead>
          <TR>
            <TH>Name</TH>
            <TH className="hidden sm:table-cell">Status</TH>
            <TH>Size</TH>
            <TH className="hidden md:table-cell">Taken</TH>
            <TH className="text-right">
              <span className="sr-only">Actions</span>
            </TH>
          </TR>
        </THead>
        <TBody>
          {data.results.map((snapshot) => {
            const cannotRestore = restoreBlockedReason(server, snapshot);
            const cannotDelete = deleteBlockedReason(server, snapshot);
            const beingRestored =
              !!server.operation &&
              OPERATION_KIND_INFO[server.operation.kind].restore &&
              server.operation.snapshot_id === snapshot.id;
            const restoredOnto = server.restoring_elsewhere.find((r) => r.snapshot.id === snapshot.id)?.server;
            const progress = rowProgress(server, snapshot);
            return (
              <TR
                key={snapshot.id}
                data-snapshot-name={snapshot.name}
                className={cn((beingRestored || restoredOnto) && "bg-blue-50")}
              >
                <TD className="max-w-72 min-w-28">
                  <p className="flex items-center gap-1.5 font-medium [overflow-wrap:anywhere] text-zinc-900">
                    {snapshot.protected ? <LockIcon /> : null}
                    {snapshot.name}
                  </p>
                  {snapshot.kind !== "manual" ? (
                    <Badge tone={snapshot.kind === "safety" ? "amber" : "gray"} className="mt-1 mr-1">
                      {snapshot.kind}
                    </Badge>
                  ) : null}
                  {beingRestored ? (
                    <Badge tone="blue" pulse className="mt-1">
                      Being restored
                    </Badge>
                  ) : null}
                  {restoredOnto ? (
                    <Badge tone="blue" pulse className="mt-1">
                      Being restored onto {restoredOnto.name}
                    </Badge>
                  ) : null}
                  {/* On a phone the Status column is hidden; the status moves under the name. */}
                  <div className="mt-1 sm:hidden">
                    <SnapshotStatusBadge snapshot={snapshot} progress={progress} testId="snapshot-status-phone" />
                  </div>
                  {snapshot.description ? (
                    <p className="mt-0.5 text-xs break-words text-zinc-600">{snapshot.description}</p>
                  ) : null}
                  <LabelChips labels={snapshot.labels} />
                  {/* On a phone the Taken column is hidden; the times move under the name. */}
                  <SnapshotTimes snapshot={snapshot} className="mt-0.5 md:hidden" />
                </TD>
                <TD className="hidden sm:table-cell">
                  <SnapshotStatusBadge snapshot={snapshot} progress={progress} />
                </TD>
                <TD className="whitespace-nowrap text-zinc-700 tabular-nums">
                  {formatMb(snapshot.size_mb)}
                  {snapshot.stored_mb !== null ? (
                    <span
                      className="block text-xs text-zinc-600"
                      title="What this snapshot added to the store after deduplication"
                    >
                      {formatMb(snapshot.stored_mb)} stored
                    </span>
                  ) : null}
                </TD>
                <TD className="hidden md:table-cell">
                  <SnapshotTimes snapshot={snapshot} />
                </TD>
                <TD>
                  <div className="flex flex-col items-end gap-1.5 sm:flex-row sm:justify-end">
                    <Button
                      size="sm"
                      variant="ghost"
                      aria-pressed={snapshot.protected}
                      aria-label={`${snapshot.protected ? "Unprotect" : "Protect"} ${snapshot.name}`}
                      title={
                        snapshot.protected
                          ? "Allow deleting this snapshot again"
                          : "Refuse deleting this snapshot until it is unprotected"
                      }
                      disabled={update.isPending && update.variables?.snapshot.id === snapshot.id}
                      onClick={() => update.mutate({ snapshot, changes: { protected: !snapshot.protected } })}
                    >
                      {snapshot.protected ? "Unprotect" : "Protect"}
                    </Button>
                    <Button size="sm" variant="ghost" aria-label={`Edit ${snapshot.name}`} onClick={() => setEditing(snapshot)}>
                      Edit
                    </Button>
                    <Button
                      size="sm"
                      disabled={cannotRestore !== null}
                      title={cannotRestore ?? undefined}
                      aria-describedby={cannotRestore && restoreBlocked ? "restore-blocked-reason" : undefined}
                      aria-label={`Restore ${snapshot.name}`}
                      onClick={() => setRestoring(snapshot)}
                    >
                      Restore
                    </Button>
                    <Button
                      size="sm"
                      variant="ghost"
                      className="text-red-700 hover:bg-red-50"
                      disabled={cannotDelete !== null}
                      title={cannotDelete ?? undefined}
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
      <DeleteSnapshotDialog
        snapshot={deleting}
        backsUndo={deleting !== null && deleting.id === server.undo_snapshot?.id}
        onClose={() => setDeleting(null)}
      />
      <EditSnapshotDialog snapshot={editing} onClose={() => setEditing(null)} />
    </>
  );
}

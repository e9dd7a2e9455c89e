"use client";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { formatMb } from "@/components/ui/format";
import { RelativeTime } from "@/components/ui/relative-time";
import { isStaleStateError } from "@/lib/client/api-fetch";
import { useDeleteSnapshot } from "@/lib/client/snapshots";
import type { Snapshot } from "@/lib/schemas/api-responses";

/** backsUndo: the snapshot is the server's `undo_snapshot`; deleting it takes Undo restore away, and the dialog says so. */
export function DeleteSnapshotDialog({
  snapshot,
  backsUndo = false,
  onClose,
}: {
  snapshot: Snapshot | null;
  backsUndo?: boolean;
  onClose: () => void;
}) {
  const remove = useDeleteSnapshot();
  return (
    <ConfirmDialog
      open={snapshot !== null}
      onOpenChange={(open) => !open && onClose()}
      title={`Delete snapshot ${snapshot?.name ?? ""}?`}
      description="Deletion is permanent: the snapshot and its stored data are removed and cannot be recovered. The server itself is not touched."
      confirmLabel="Delete permanently"
      pending={remove.isPending}
      onConfirm={() =>
        snapshot && remove.mutate(snapshot, { onSuccess: onClose, onError: (error) => isStaleStateError(error) && onClose() })
      }
    >
      {snapshot && backsUndo ? (
        <p
          role="note"
          data-testid="delete-ends-undo"
          className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-950"
        >
          <span className="font-semibold">Undo restore will no longer be possible.</span> This is the safety snapshot of the last
          restore: it is what Undo restore puts back.
        </p>
      ) : null}
      {snapshot ? (
        <p className="rounded-md bg-zinc-50 px-3 py-2 text-sm text-zinc-700">
          <span className="font-medium text-zinc-900">{snapshot.name}</span> · taken <RelativeTime iso={snapshot.created_at} /> ·{" "}
          {formatMb(snapshot.size_mb)}
        </p>
      ) : null}
    </ConfirmDialog>
  );
}

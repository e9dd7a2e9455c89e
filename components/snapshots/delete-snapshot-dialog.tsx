"use client";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { formatMb } from "@/components/ui/format";
import { RelativeTime } from "@/components/ui/relative-time";
import { isStaleStateError } from "@/lib/client/api-fetch";
import { useDeleteSnapshot } from "@/lib/client/snapshots";
import type { Snapshot } from "@/lib/schemas/api-responses";

export function DeleteSnapshotDialog({ snapshot, onClose }: { snapshot: Snapshot | null; onClose: () => void }) {
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
      {snapshot ? (
        <p className="rounded-md bg-zinc-50 px-3 py-2 text-sm text-zinc-700">
          <span className="font-medium text-zinc-900">{snapshot.name}</span> · taken <RelativeTime iso={snapshot.created_at} /> ·{" "}
          {formatMb(snapshot.size_mb)}
        </p>
      ) : null}
    </ConfirmDialog>
  );
}

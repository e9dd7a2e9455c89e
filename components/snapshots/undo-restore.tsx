"use client";
// "Undo restore": restoring the safety snapshot of the server's most recent restore puts
// back the disk as it was just before it (same typed confirmation). The server says which
// one (`undo_snapshot`): none once a later restore ran, the undo itself included, so the
// page never offers to "undo" with a safety snapshot that would not.
import { useState } from "react";
import { RestoreSnapshotDialog } from "@/components/snapshots/restore-snapshot-dialog";
import { Button } from "@/components/ui/button";
import { RelativeTime } from "@/components/ui/relative-time";
import { isServerBusy } from "@/lib/client/polling";
import { useServerSnapshots } from "@/lib/client/snapshots";
import type { Server, Snapshot } from "@/lib/schemas/api-responses";

export function UndoRestore({ server }: { server: Server }) {
  const { data } = useServerSnapshots(server);
  const [open, setOpen] = useState<Snapshot | null>(null);
  const safety = data?.results.find((s) => s.id === server.undo_snapshot?.id && s.status === "completed");
  if (!safety) return null;
  const busy = isServerBusy(server);
  return (
    <div
      role="note"
      data-testid="undo-restore"
      className="flex flex-col gap-2 rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 sm:flex-row sm:items-center sm:justify-between"
    >
      <p>
        The disk as it was before the last restore is kept in <strong className="font-mono">{safety.name}</strong>
        {safety.expires_at ? (
          <>
            ; it is removed automatically <RelativeTime iso={safety.expires_at} exact={false} />
          </>
        ) : null}
        .
      </p>
      <Button
        disabled={busy}
        title={busy ? "An operation is running on this server." : undefined}
        onClick={() => setOpen(safety)}
      >
        Undo restore
      </Button>
      <RestoreSnapshotDialog server={server} snapshot={open} onClose={() => setOpen(null)} undo />
    </div>
  );
}

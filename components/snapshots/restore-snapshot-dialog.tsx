"use client";
// The one action that destroys data on purpose. The operator picks the target server (the
// snapshot's own by default, or another of the owner's servers on any host), reads the
// consequences and types the TARGET's exact name (case-sensitive) before the button comes alive.
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogFooter } from "@/components/ui/dialog";
import { formatMb } from "@/components/ui/format";
import { Input } from "@/components/ui/input";
import { RelativeTime, formatUtc } from "@/components/ui/relative-time";
import { isStaleStateError } from "@/lib/client/api-fetch";
import { useRestoreSnapshot } from "@/lib/client/snapshots";
import { useServers } from "@/lib/client/servers";
import type { Server, Snapshot } from "@/lib/schemas/api-responses";

/** Names longer than this may not fit a phone's line in the dialog's monospace font. */
const LONG_NAME = 30;

/**
 * The "safety snapshot first" box starts ticked (SPEC §6). `undo`: the snapshot is the
 * safety snapshot of the last restore; the dialog says it is an undo, its box unticked.
 */
export function RestoreSnapshotDialog({
  server,
  snapshot,
  onClose,
  undo = false,
}: {
  server: Server;
  snapshot: Snapshot | null;
  onClose: () => void;
  undo?: boolean;
}) {
  return (
    <Dialog open={snapshot !== null} onOpenChange={(open) => !open && onClose()}>
      {snapshot ? (
        // Keyed by snapshot, so the typed confirmation never carries over to another one.
        <RestoreForm key={snapshot.id} server={server} snapshot={snapshot} onClose={onClose} undo={undo} />
      ) : null}
    </Dialog>
  );
}

function RestoreForm({
  server: source,
  snapshot,
  onClose,
  undo,
}: {
  server: Server;
  snapshot: Snapshot;
  onClose: () => void;
  undo: boolean;
}) {
  const restore = useRestoreSnapshot();
  const servers = useServers();
  // The owner's servers (an admin sees everyone's; a snapshot stays with its owner).
  const candidates = (servers.data?.results ?? [source]).filter((s) => s.owner_id === source.owner_id);
  const [targetId, setTargetId] = useState(source.id);
  const server = candidates.find((s) => s.id === targetId) ?? source;
  const [typed, setTyped] = useState("");
  const [safety, setSafety] = useState(!undo);
  const matches = typed === server.name;
  const afterState = server.status === "active" ? "started again" : `left ${server.status}`;

  return (
    <DialogContent
      title={undo ? `Undo the last restore of ${server.name}?` : `Restore ${server.name} from ${snapshot.name}?`}
      description={
        undo
          ? `The disk goes back to ${snapshot.name}, the safety snapshot taken just before the last restore. Read this before you continue.`
          : "Read this before you continue. A restore replaces the target server's disk."
      }
    >
      <div className="space-y-4 text-sm">
        <div className="space-y-1.5">
          <label htmlFor="restore-target" className="block text-zinc-800">
            Target server
          </label>
          <select
            id="restore-target"
            value={targetId}
            onChange={(e) => {
              setTargetId(Number(e.target.value));
              setTyped(""); // a confirmation typed for one server never carries over to another
            }}
            className="w-full rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 text-sm text-zinc-900"
          >
            {candidates.map((s) => (
              <option key={s.id} value={s.id} disabled={s.disk_mb < source.disk_mb}>
                {s.name}
                {s.id === source.id ? " (this server)" : ""}
                {s.disk_mb < source.disk_mb ? " (disk too small)" : ""}
              </option>
            ))}
          </select>
        </div>
        <div role="note" className="space-y-1.5 rounded-md border border-red-200 bg-red-50 p-3 text-red-900">
          <p className="font-semibold">All current data on the server will be overwritten.</p>
          <p>
            This cannot be undone{safety ? " except through the safety snapshot below" : ""}. Anything written since the snapshot
            was taken is lost.
          </p>
          <p>The server will be stopped first, stays stopped while the disk is restored, and is {afterState} afterwards.</p>
        </div>
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 rounded-md bg-zinc-50 px-3 py-2">
          <dt className="text-zinc-600">Snapshot</dt>
          <dd className="font-medium break-all text-zinc-900">{snapshot.name}</dd>
          <dt className="text-zinc-600">Taken</dt>
          <dd className="text-zinc-900">
            <RelativeTime iso={snapshot.created_at} /> <span className="text-zinc-600">({formatUtc(snapshot.created_at)})</span>
          </dd>
          <dt className="text-zinc-600">Size</dt>
          <dd className="text-zinc-900">{formatMb(snapshot.size_mb)}</dd>
        </dl>
        <form
          id="restore-form"
          onSubmit={(event) => {
            event.preventDefault();
            if (matches && !restore.isPending)
              restore.mutate(
                { snapshot, serverId: server.id, safetySnapshot: safety },
                { onSuccess: onClose, onError: (error) => isStaleStateError(error) && onClose() },
              );
          }}
          className="space-y-3"
        >
          <label className="flex items-start gap-2 text-zinc-800">
            <input type="checkbox" className="mt-0.5 size-4" checked={safety} onChange={(e) => setSafety(e.target.checked)} />
            <span>
              Take a safety snapshot first
              <span className="block text-xs text-zinc-600">
                The current disk is saved before it is overwritten, so the restore can be undone. It does not count against the
                limit and is removed automatically (after 24 h by default).
              </span>
            </span>
          </label>
          <label htmlFor="restore-confirm-name" className="block text-zinc-800">
            Type the target server&apos;s name{" "}
            {/* Never broken inside (a hyphen is a line-break opportunity): the name moves to its
                own line when the rest of the line is too short, and scrolls sideways only when
                it is longer than the whole line (a long name on a phone; then it is focusable,
                so a keyboard can scroll it too). */}
            <strong
              data-testid="restore-confirm-target"
              tabIndex={server.name.length > LONG_NAME ? 0 : undefined}
              className="inline-block max-w-full overflow-x-auto align-bottom font-mono font-semibold whitespace-nowrap text-zinc-900"
            >
              {server.name}
            </strong>{" "}
            to confirm
          </label>
          <Input
            id="restore-confirm-name"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            autoComplete="off"
            autoCapitalize="off"
            autoCorrect="off"
            spellCheck={false}
            className="font-mono"
          />
        </form>
      </div>
      <DialogFooter>
        <DialogClose asChild>
          <Button>Cancel</Button>
        </DialogClose>
        <Button type="submit" form="restore-form" variant="danger" disabled={!matches || restore.isPending}>
          {restore.isPending ? "Starting restore…" : undo ? "Undo restore and overwrite" : "Restore and overwrite"}
        </Button>
      </DialogFooter>
    </DialogContent>
  );
}

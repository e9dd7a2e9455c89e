"use client";
// Validates with the very schema the API uses, so the form never accepts what the API
// would refuse. A running server gets a consistency warning and the option to stop it. A
// libvirt guest's dialog says which consistency the snapshot will have (SPEC §7):
// application when its guest agent answers, crash-consistent when not (the warning and the
// option to stop it), offline when it is stopped.
import { useState, type FormEvent } from "react";
import { ConsistencyBadge } from "@/components/snapshots/consistency-badge";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogFooter } from "@/components/ui/dialog";
import { Field, Input, Textarea, fieldAria } from "@/components/ui/input";
import { ApiError, isStaleStateError } from "@/lib/client/api-fetch";
import { expectedConsistency, isGuest, type Consistency } from "@/lib/client/hypervisor";
import { useCreateSnapshot } from "@/lib/client/snapshots";
import type { Server } from "@/lib/schemas/api-responses";
import { createSnapshotSchema } from "@/lib/schemas/snapshots";

type Errors = Partial<Record<"name" | "description", string>>;

/** A valid default name, e.g. web-server-01-20250116-1615, like consoles suggest. */
function suggestName(server: Server): string {
  const stamp = new Date().toISOString().slice(0, 16).replace(/[-:]/g, "").replace("T", "-");
  const base = server.name.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 64 - stamp.length - 1);
  return `${base}-${stamp}`;
}

export function CreateSnapshotDialog({
  server,
  open,
  onOpenChange,
}: {
  server: Server;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      {open ? <CreateForm server={server} onDone={() => onOpenChange(false)} /> : null}
    </Dialog>
  );
}

function CreateForm({ server, onDone }: { server: Server; onDone: () => void }) {
  const create = useCreateSnapshot();
  const [name, setName] = useState(() => suggestName(server));
  const [description, setDescription] = useState("");
  const [stopFirst, setStopFirst] = useState(false);
  const [errors, setErrors] = useState<Errors>({});
  const active = server.status === "active";
  const guest = isGuest(server);
  // Offered to a running simulated server, and to a running guest whose snapshot would be crash-consistent.
  const willStop = active && stopFirst && (!guest || expectedConsistency(server) === "crash-consistent");

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const parsed = createSnapshotSchema.safeParse({ server_id: server.id, name, description: description || undefined });
    if (!parsed.success) {
      const next: Errors = {};
      for (const issue of parsed.error.issues) {
        const field = issue.path[0];
        if ((field === "name" || field === "description") && !next[field])
          next[field] = `${field === "name" ? "Name" : "Description"} ${issue.message}.`;
      }
      setErrors(next);
      return;
    }
    setErrors({});
    create.mutate(
      { server, name: parsed.data.name, description: parsed.data.description, stopFirst: willStop },
      {
        onSuccess: onDone,
        onError: (error) => {
          if (isStaleStateError(error)) return onDone();
          // Field errors from the API land next to the field as well as in the toast.
          if (error instanceof ApiError && error.errors)
            setErrors({ name: error.errors.name?.join(" "), description: error.errors.description?.join(" ") });
        },
      },
    );
  }

  return (
    <DialogContent
      title={`Create a snapshot of ${server.name}`}
      description="The whole disk is captured. This takes a few minutes; you can leave the page."
    >
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        <Field id="snapshot-name" label="Name" hint="1–64 letters, digits, '-' or '_'." error={errors.name}>
          <Input
            {...fieldAria("snapshot-name", errors.name)}
            value={name}
            onChange={(e) => setName(e.target.value)}
            autoComplete="off"
            spellCheck={false}
            maxLength={80}
          />
        </Field>
        <Field id="snapshot-description" label="Description (optional)" hint="Up to 500 characters." error={errors.description}>
          <Textarea
            {...fieldAria("snapshot-description", errors.description)}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            rows={2}
            placeholder="Before the system update"
          />
        </Field>
        {guest ? (
          <GuestConsistencyNote server={server} stopFirst={stopFirst} onStopFirstChange={setStopFirst} />
        ) : active ? (
          <div role="note" className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950">
            <p className="font-semibold">This server is running.</p>
            <p>
              A snapshot of a running server may be filesystem-inconsistent: writes in flight can be lost or half-written. Stop
              the server first for a clean snapshot.
            </p>
            <StopFirstBox checked={stopFirst} onChange={setStopFirst} />
          </div>
        ) : null}
        <DialogFooter>
          <DialogClose asChild>
            <Button>Cancel</Button>
          </DialogClose>
          <Button type="submit" variant="primary" disabled={create.isPending}>
            {create.isPending
              ? guest && willStop
                ? "Stopping server…"
                : "Creating…"
              : willStop
                ? "Stop server and create snapshot"
                : "Create snapshot"}
          </Button>
        </DialogFooter>
      </form>
    </DialogContent>
  );
}

function StopFirstBox({
  checked,
  onChange,
  guest = false,
}: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  guest?: boolean;
}) {
  return (
    <label className="flex items-start gap-2 font-medium">
      <input
        type="checkbox"
        className="mt-0.5 size-4 accent-zinc-900"
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
      />
      {guest
        ? "Stop the server first (the guest shuts down, which can take a minute; it stays stopped afterwards)"
        : "Stop the server first (it stays stopped afterwards)"}
    </label>
  );
}

function WillBe({ consistency }: { consistency: Consistency }) {
  return (
    <p className="flex flex-wrap items-center gap-x-2 gap-y-1">
      This snapshot will be <ConsistencyBadge consistency={consistency} testId="expected-consistency" />
    </p>
  );
}

/** A libvirt guest: the consistency it will get, from the hypervisor's view of it. */
function GuestConsistencyNote({
  server,
  stopFirst,
  onStopFirstChange,
}: {
  server: Server;
  stopFirst: boolean;
  onStopFirstChange: (checked: boolean) => void;
}) {
  const expected = expectedConsistency(server);
  const active = server.status === "active";
  const neutral = "space-y-2 rounded-md border border-zinc-200 bg-zinc-50 p-3 text-sm text-zinc-900";
  const warning = "space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950";
  if (expected === null) {
    return (
      <div role="note" className={warning}>
        <p className="font-semibold">The server&apos;s VM is missing on its host.</p>
        <p>The hypervisor has no VM of this name: the snapshot fails until the VM is back.</p>
      </div>
    );
  }
  if (expected === "application") {
    return (
      <div role="note" className={neutral}>
        <WillBe consistency="application" />
        <p>
          The guest agent responds: it freezes the server&apos;s filesystems as the copy begins, for well under a second, and the
          server keeps running. Files are captured as its applications left them.
        </p>
      </div>
    );
  }
  if (expected === "offline") {
    return (
      <div role="note" className={neutral}>
        <WillBe consistency="offline" />
        <p>The server is stopped: its disk is captured as it was shut down.</p>
      </div>
    );
  }
  return (
    <div role="note" className={warning}>
      <p className="font-semibold">
        {server.hypervisor_state === "paused" ? "This server's VM is paused." : "This server is running."}
      </p>
      <WillBe consistency={active && stopFirst ? "offline" : "crash-consistent"} />
      <p>
        Its guest agent is not responding, so its filesystems cannot be frozen. A snapshot of a running server may be
        filesystem-inconsistent: writes in flight can be lost or half-written. Stop the server first for a clean snapshot.
      </p>
      {active ? <StopFirstBox checked={stopFirst} onChange={onStopFirstChange} guest /> : null}
    </div>
  );
}

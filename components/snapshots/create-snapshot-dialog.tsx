"use client";
// Validates with the very schema the API uses, so the form never accepts what the API
// would refuse. A running server gets a consistency warning and the option to stop it.
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogFooter } from "@/components/ui/dialog";
import { Field, Input, Textarea, fieldAria } from "@/components/ui/input";
import { ApiError, isStaleStateError } from "@/lib/client/api-fetch";
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
      { server, name: parsed.data.name, description: parsed.data.description, stopFirst: active && stopFirst },
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
        {active ? (
          <div role="note" className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950">
            <p className="font-semibold">This server is running.</p>
            <p>
              A snapshot of a running server may be filesystem-inconsistent: writes in flight can be lost or half-written. Stop
              the server first for a clean snapshot.
            </p>
            <label className="flex items-start gap-2 font-medium">
              <input
                type="checkbox"
                className="mt-0.5 size-4 accent-zinc-900"
                checked={stopFirst}
                onChange={(e) => setStopFirst(e.target.checked)}
              />
              Stop the server first (it stays stopped afterwards)
            </label>
          </div>
        ) : null}
        <DialogFooter>
          <DialogClose asChild>
            <Button>Cancel</Button>
          </DialogClose>
          <Button type="submit" variant="primary" disabled={create.isPending}>
            {create.isPending ? "Creating…" : active && stopFirst ? "Stop server and create snapshot" : "Create snapshot"}
          </Button>
        </DialogFooter>
      </form>
    </DialogContent>
  );
}

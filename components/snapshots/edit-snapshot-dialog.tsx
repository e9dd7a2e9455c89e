"use client";
// Rename, describe and label a snapshot. Labels are typed as `key=value` pairs separated
// by commas or new lines and validated with the API's own schema before sending.
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogFooter } from "@/components/ui/dialog";
import { Field, Input, Textarea, fieldAria } from "@/components/ui/input";
import { ApiError } from "@/lib/client/api-fetch";
import { useUpdateSnapshot } from "@/lib/client/snapshots";
import type { Snapshot } from "@/lib/schemas/api-responses";
import { updateSnapshotSchema } from "@/lib/schemas/snapshots";

type Errors = Partial<Record<"name" | "description" | "labels", string>>;

function labelsToText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => (v ? `${k}=${v}` : k))
    .join(", ");
}

function textToLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(/[,\n]/)) {
    const term = part.trim();
    if (!term) continue;
    const at = term.indexOf("=");
    out[at < 0 ? term : term.slice(0, at).trim()] = at < 0 ? "" : term.slice(at + 1).trim();
  }
  return out;
}

export function EditSnapshotDialog({ snapshot, onClose }: { snapshot: Snapshot | null; onClose: () => void }) {
  return (
    <Dialog open={snapshot !== null} onOpenChange={(open) => !open && onClose()}>
      {snapshot ? <EditForm key={snapshot.id} snapshot={snapshot} onDone={onClose} /> : null}
    </Dialog>
  );
}

function EditForm({ snapshot, onDone }: { snapshot: Snapshot; onDone: () => void }) {
  const update = useUpdateSnapshot();
  const [name, setName] = useState(snapshot.name);
  const [description, setDescription] = useState(snapshot.description);
  const [labels, setLabels] = useState(labelsToText(snapshot.labels));
  const [errors, setErrors] = useState<Errors>({});

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const parsed = updateSnapshotSchema.safeParse({ name, description, labels: textToLabels(labels) });
    if (!parsed.success) {
      const next: Errors = {};
      for (const issue of parsed.error.issues) {
        const field = issue.path[0];
        if ((field === "name" || field === "description" || field === "labels") && !next[field]) next[field] = issue.message;
      }
      return setErrors(next);
    }
    setErrors({});
    update.mutate(
      { snapshot, changes: { name: parsed.data.name, description: parsed.data.description, labels: parsed.data.labels } },
      {
        onSuccess: onDone,
        onError: (error) => {
          if (error instanceof ApiError && error.code === "name_taken") setErrors({ name: error.message });
          else if (error instanceof ApiError && error.errors)
            setErrors({
              name: error.errors.name?.join(" "),
              description: error.errors.description?.join(" "),
              labels: error.errors.labels?.join(" "),
            });
        },
      },
    );
  }

  return (
    <DialogContent
      title={`Edit snapshot ${snapshot.name}`}
      description="Names are unique on a server. Labels help you find snapshots (label_selector in the API)."
    >
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        <Field id="edit-name" label="Name" hint="1–64 letters, digits, '-' or '_'." error={errors.name}>
          <Input
            {...fieldAria("edit-name", errors.name)}
            value={name}
            onChange={(e) => setName(e.target.value)}
            autoComplete="off"
            spellCheck={false}
          />
        </Field>
        <Field id="edit-description" label="Description" hint="Up to 500 characters." error={errors.description}>
          <Textarea
            {...fieldAria("edit-description", errors.description)}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            rows={2}
          />
        </Field>
        <Field
          id="edit-labels"
          label="Labels"
          hint="key=value pairs separated by commas, e.g. env=prod, tier=web (at most 32)."
          error={errors.labels}
        >
          <Input
            {...fieldAria("edit-labels", errors.labels)}
            value={labels}
            onChange={(e) => setLabels(e.target.value)}
            autoComplete="off"
            spellCheck={false}
          />
        </Field>
        <DialogFooter>
          <DialogClose asChild>
            <Button>Cancel</Button>
          </DialogClose>
          <Button type="submit" variant="primary" disabled={update.isPending}>
            {update.isPending ? "Saving…" : "Save"}
          </Button>
        </DialogFooter>
      </form>
    </DialogContent>
  );
}

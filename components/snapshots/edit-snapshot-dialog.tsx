"use client";
// Rename, describe and label a snapshot. Labels are key/value rows checked as they are typed
// (LabelEditor, with the API's own schemas); Save stays disabled while a row is invalid.
import { useState, type FormEvent } from "react";
import { LabelEditor, checkLabelRows, labelRows } from "@/components/snapshots/label-editor";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogFooter } from "@/components/ui/dialog";
import { Field, Input, Textarea, fieldAria } from "@/components/ui/input";
import { ApiError, type FieldErrors } from "@/lib/client/api-fetch";
import { useUpdateSnapshot } from "@/lib/client/snapshots";
import type { Snapshot } from "@/lib/schemas/api-responses";
import { updateSnapshotSchema } from "@/lib/schemas/snapshots";

type Errors = Partial<Record<"name" | "description" | "labels", string>>;

/** The API names a label's error by its path (`labels.env`); they are all shown under the labels. */
function labelErrors(errors: FieldErrors): string | undefined {
  const messages = Object.entries(errors)
    .filter(([field]) => field === "labels" || field.startsWith("labels."))
    .map(([field, list]) => `${field === "labels" ? "" : `${field.slice("labels.".length)}: `}${list.join(" ")}`);
  return messages.length ? messages.join(" ") : undefined;
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
  const [rows, setRows] = useState(() => labelRows(snapshot.labels));
  const [errors, setErrors] = useState<Errors>({});
  const labels = checkLabelRows(rows).labels;

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (!labels) return;
    const parsed = updateSnapshotSchema.safeParse({ name, description, labels });
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
              labels: labelErrors(error.errors),
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
        <LabelEditor
          id="edit-labels"
          rows={rows}
          onChange={(next) => {
            setRows(next);
            if (errors.labels) setErrors({ ...errors, labels: undefined });
          }}
          error={errors.labels}
        />
        {labels ? null : (
          <p id="edit-save-blocked" className="text-sm text-red-700">
            Fix the labels marked above to save.
          </p>
        )}
        <DialogFooter>
          <DialogClose asChild>
            <Button>Cancel</Button>
          </DialogClose>
          <Button
            type="submit"
            variant="primary"
            disabled={update.isPending || !labels}
            aria-describedby={labels ? undefined : "edit-save-blocked"}
          >
            {update.isPending ? "Saving…" : "Save"}
          </Button>
        </DialogFooter>
      </form>
    </DialogContent>
  );
}

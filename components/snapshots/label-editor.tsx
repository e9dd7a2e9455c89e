"use client";
// A snapshot's labels as key/value rows, checked as the operator types with the API's own
// key and value schemas (lib/schemas/snapshots.ts), so the editor and the API cannot
// disagree. A fully blank row is ignored; a key used twice and more than MAX_LABELS labels
// are the editor's own checks (an object cannot hold either, so the API never sees them).
import { useEffect, useRef, type KeyboardEvent } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { MAX_LABELS, labelKeySchema, labelValueSchema } from "@/lib/schemas/snapshots";

export type LabelRow = { id: number; key: string; value: string };
type RowErrors = { key?: string; value?: string };

export type LabelCheck = {
  /** Per row id, what is wrong with its key and its value, in words shown under the row. */
  errors: Map<number, RowErrors>;
  /** The labels to send, or null while a row is invalid. */
  labels: Record<string, string> | null;
};

let nextRowId = 1;

export function labelRows(labels: Record<string, string>): LabelRow[] {
  return Object.entries(labels).map(([key, value]) => ({ id: nextRowId++, key, value }));
}

/** "key must be lowercase" → "Key must be lowercase": the schema's words, as a sentence. */
function sentence(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}

function firstProblem(result: { success: boolean; error?: { issues: { message: string }[] } }): string | undefined {
  const message = result.success ? undefined : result.error?.issues[0]?.message;
  return message ? sentence(message) : undefined;
}

export function checkLabelRows(rows: LabelRow[]): LabelCheck {
  const errors = new Map<number, RowErrors>();
  const labels: Record<string, string> = {};
  const seen = new Set<string>();
  for (const row of rows) {
    if (row.key === "" && row.value === "") continue;
    const problems: RowErrors = {
      key: row.key === "" ? "Key is required" : firstProblem(labelKeySchema.safeParse(row.key)),
      value: firstProblem(labelValueSchema.safeParse(row.value)),
    };
    if (!problems.key && seen.has(row.key)) problems.key = `Key ${row.key} is used twice`;
    seen.add(row.key);
    if (problems.key || problems.value) errors.set(row.id, problems);
    else labels[row.key] = row.value;
  }
  const tooMany = seen.size > MAX_LABELS;
  return { errors, labels: errors.size === 0 && !tooMany ? labels : null };
}

export function LabelEditor({
  id,
  rows,
  onChange,
  error,
}: {
  /** Prefix of every element id inside. */
  id: string;
  rows: LabelRow[];
  onChange: (rows: LabelRow[]) => void;
  /** An error about the labels as a whole (from the API). */
  error?: string;
}) {
  const { errors } = checkLabelRows(rows);
  const inputs = useRef(new Map<string, HTMLInputElement>());
  const addButton = useRef<HTMLButtonElement>(null);
  // Focus moves once the rows have rendered: to a new row's key, or past a removed row.
  const focusNext = useRef<string | null>(null);
  useEffect(() => {
    if (focusNext.current === null) return;
    (inputs.current.get(focusNext.current) ?? addButton.current)?.focus();
    focusNext.current = null;
  });

  const full = rows.length >= MAX_LABELS;
  const ref = (name: string) => (element: HTMLInputElement | null) => {
    if (element) inputs.current.set(name, element);
    else inputs.current.delete(name);
  };
  const update = (rowId: number, field: "key" | "value", text: string) =>
    onChange(rows.map((row) => (row.id === rowId ? { ...row, [field]: text } : row)));
  const add = () => {
    const row = { id: nextRowId++, key: "", value: "" };
    onChange([...rows, row]);
    focusNext.current = `${row.id}-key`;
  };
  const remove = (index: number) => {
    const neighbour = rows[index + 1] ?? rows[index - 1];
    onChange(rows.filter((_, i) => i !== index));
    focusNext.current = neighbour ? `${neighbour.id}-key` : "add";
  };
  // Enter in a key goes on to its value instead of submitting the form half-typed.
  const keyEnter = (rowId: number) => (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    inputs.current.get(`${rowId}-value`)?.focus();
  };

  return (
    <fieldset className="space-y-2" aria-describedby={`${id}-hint${error ? ` ${id}-error` : ""}`}>
      <legend className="text-sm font-medium text-zinc-800">Labels</legend>
      <p id={`${id}-hint`} className="text-xs text-zinc-600">
        Keys: lowercase letters, digits, &apos;.&apos;, &apos;_&apos;, &apos;/&apos;, &apos;-&apos;. Values may be empty. At most{" "}
        {MAX_LABELS}.
      </p>
      {rows.length === 0 ? <p className="text-sm text-zinc-600">No labels.</p> : null}
      <ul className="space-y-2">
        {rows.map((row, index) => {
          const n = index + 1;
          const problems = errors.get(row.id) ?? {};
          const keyId = `${id}-${row.id}-key`;
          const valueId = `${id}-${row.id}-value`;
          return (
            <li key={row.id} data-testid="label-row" className="space-y-1">
              <div className="flex items-center gap-2">
                <label htmlFor={keyId} className="sr-only">
                  Label {n} key
                </label>
                <Input
                  id={keyId}
                  ref={ref(`${row.id}-key`)}
                  value={row.key}
                  placeholder="key"
                  onChange={(e) => update(row.id, "key", e.target.value)}
                  onKeyDown={keyEnter(row.id)}
                  aria-invalid={problems.key ? true : undefined}
                  aria-describedby={problems.key ? `${keyId}-error` : undefined}
                  autoComplete="off"
                  spellCheck={false}
                  className="min-w-0 font-mono"
                />
                <span aria-hidden className="text-zinc-500">
                  =
                </span>
                <label htmlFor={valueId} className="sr-only">
                  Label {n} value
                </label>
                <Input
                  id={valueId}
                  ref={ref(`${row.id}-value`)}
                  value={row.value}
                  placeholder="value"
                  onChange={(e) => update(row.id, "value", e.target.value)}
                  aria-invalid={problems.value ? true : undefined}
                  aria-describedby={problems.value ? `${valueId}-error` : undefined}
                  autoComplete="off"
                  spellCheck={false}
                  className="min-w-0 font-mono"
                />
                <Button size="sm" variant="ghost" aria-label={`Remove label ${n}`} onClick={() => remove(index)}>
                  Remove
                </Button>
              </div>
              {problems.key ? (
                <p id={`${keyId}-error`} className="text-xs text-red-700">
                  {problems.key}.
                </p>
              ) : null}
              {problems.value ? (
                <p id={`${valueId}-error`} className="text-xs text-red-700">
                  {problems.value}.
                </p>
              ) : null}
            </li>
          );
        })}
      </ul>
      <div className="flex items-center gap-2">
        <Button ref={addButton} size="sm" onClick={add} disabled={full} aria-describedby={full ? `${id}-full` : undefined}>
          Add label
        </Button>
        {full ? (
          <p id={`${id}-full`} className="text-xs text-zinc-600">
            A snapshot has at most {MAX_LABELS} labels.
          </p>
        ) : null}
      </div>
      {error ? (
        <p id={`${id}-error`} className="text-xs text-red-700">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

"use client";
// The server page's label filter: a label_selector as the API takes it (`env=prod,tier!=db`),
// kept in the page's URL (`?labels=…`) so it survives a reload and can be shared. The API
// parses it; a selector it refuses (400) is shown under the input in the API's own words.
import { useSearchParams } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { ApiError } from "@/lib/client/api-fetch";

const PARAM = "labels";
const ID = "label-filter";

/** The applied selector ("" for none) and a way to change it, in the URL's `?labels=`. */
export function useLabelSelectorParam(): [string, (selector: string) => void] {
  const params = useSearchParams();
  const selector = params.get(PARAM)?.trim() ?? "";
  const apply = (next: string) => {
    const url = new URL(window.location.href);
    if (next.trim()) url.searchParams.set(PARAM, next.trim());
    else url.searchParams.delete(PARAM);
    // Next.js's router follows history.replaceState: useSearchParams updates, no server round trip.
    window.history.replaceState(null, "", url);
  };
  return [selector, apply];
}

/** The API's words for a refused selector; null for any other error (the list shows those). */
export function selectorError(error: unknown): string | null {
  if (!(error instanceof ApiError) || error.status !== 400) return null;
  const messages = error.errors?.label_selector;
  return messages?.length ? `The label filter is not valid: ${messages.join("; ")}.` : error.message;
}

export function LabelFilter({
  selector,
  onApply,
  error,
}: {
  selector: string;
  onApply: (selector: string) => void;
  /** The snapshot list's error, if any. */
  error: unknown;
}) {
  const [draft, setDraft] = useState(selector);
  // The URL changed elsewhere (back, a link): the input follows it.
  const [shown, setShown] = useState(selector);
  if (shown !== selector) {
    setShown(selector);
    setDraft(selector);
  }
  const invalid = selectorError(error);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    onApply(draft);
  }

  return (
    <form role="search" aria-label="Filter snapshots by label" onSubmit={onSubmit} className="space-y-1.5">
      <label htmlFor={ID} className="block text-sm font-medium text-zinc-800">
        Filter by label
      </label>
      <div className="flex flex-wrap items-center gap-2">
        <Input
          id={ID}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          placeholder="env=prod,tier!=db"
          aria-invalid={invalid ? true : undefined}
          aria-describedby={invalid ? `${ID}-error` : `${ID}-hint`}
          autoComplete="off"
          spellCheck={false}
          className="w-auto min-w-0 flex-1 font-mono sm:max-w-md"
        />
        <Button type="submit">Apply</Button>
        {selector || draft ? (
          <Button
            variant="ghost"
            aria-label="Clear label filter"
            onClick={() => {
              setDraft("");
              onApply("");
            }}
          >
            Clear
          </Button>
        ) : null}
      </div>
      {invalid ? (
        <p id={`${ID}-error`} role="alert" className="text-xs text-red-700">
          {invalid}
        </p>
      ) : (
        <p id={`${ID}-hint`} className="text-xs text-zinc-600">
          Every term must match: <code>k=v</code>, <code>k!=v</code>, <code>k</code> (has it), <code>!k</code> (has not),
          separated by commas.
        </p>
      )}
    </form>
  );
}

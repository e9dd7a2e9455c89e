"use client";
// A failed snapshot or restore stays on the server page until the operator dismisses it:
// a failure must never look like a success. So does a completed operation's warning (a
// libvirt guest that did not shut down in time and was forced off: shutdown_timeout), in
// a warning's colours, not a failure's. Dismissal is remembered per operation.
import { useSyncExternalStore } from "react";
import { Button } from "@/components/ui/button";
import { RelativeTime } from "@/components/ui/relative-time";
import type { LastOperation, Server } from "@/lib/schemas/api-responses";
import { OPERATION_KIND_INFO } from "@/lib/schemas/operation-kinds";

const storageKey = (operationId: string) => `snapdeck.dismissed-operation.${operationId}`;
const CHANGED = "snapdeck:dismissed-operation";

// localStorage as an external store: other tabs notify through "storage", this one through CHANGED.
function subscribe(onChange: () => void) {
  window.addEventListener("storage", onChange);
  window.addEventListener(CHANGED, onChange);
  return () => {
    window.removeEventListener("storage", onChange);
    window.removeEventListener(CHANGED, onChange);
  };
}

function useDismissed(operationId: string | null): boolean {
  return useSyncExternalStore(
    subscribe,
    () => !operationId || window.localStorage.getItem(storageKey(operationId)) === "1",
    () => true, // the server render cannot know; the client shows the alert right after hydration
  );
}

function title(op: LastOperation): string {
  const name = op.snapshot ? ` ${op.snapshot.name}` : "";
  if (op.kind === "provision") return "Creating the server's disk failed";
  if (op.kind === "server_start" || op.kind === "server_stop") return `${OPERATION_KIND_INFO[op.kind].subject} failed`;
  return OPERATION_KIND_INFO[op.kind].restore ? `Restore from snapshot${name} failed` : `Snapshot${name} failed`;
}

/** A completed operation that carries a warning (error_code set, e.g. shutdown_timeout). */
function isWarning(op: LastOperation): boolean {
  return op.status === "completed" && op.error_code !== null;
}

function warningTitle(op: LastOperation): string {
  if (op.error_code === "shutdown_timeout") return "The server was forced off";
  return `${OPERATION_KIND_INFO[op.kind].subject} completed with a warning`;
}

export function LastOperationAlert({ server }: { server: Server }) {
  const op = server.last_operation;
  const noticeId = op && (op.status === "failed" || isWarning(op)) ? op.id : null;
  const dismissed = useDismissed(noticeId);

  if (!op || !noticeId || dismissed) return null;
  const dismiss = () => {
    window.localStorage.setItem(storageKey(noticeId), "1");
    window.dispatchEvent(new Event(CHANGED));
  };
  if (isWarning(op)) {
    return (
      <div
        role="status"
        aria-labelledby="last-operation-title"
        data-testid="last-operation-warning"
        className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950"
      >
        <div className="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
          <div>
            <p id="last-operation-title" className="font-medium">
              {warningTitle(op)}
            </p>
            {op.error ? <p className="mt-1">{op.error}</p> : null}
            {op.finished_at ? (
              <p className="mt-1 text-xs text-amber-900">
                Completed <RelativeTime iso={op.finished_at} /> · code {op.error_code}
              </p>
            ) : null}
          </div>
          <Button size="sm" onClick={dismiss}>
            Dismiss
          </Button>
        </div>
      </div>
    );
  }
  return (
    <div
      role="alert"
      aria-labelledby="last-operation-title"
      className="rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-900"
    >
      <div className="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
        <div>
          <p id="last-operation-title" className="font-medium">
            {title(op)}
          </p>
          <p className="mt-1">{op.error ?? "The operation failed."}</p>
          {op.finished_at ? (
            <p className="mt-1 text-xs text-red-800">
              Failed <RelativeTime iso={op.finished_at} />
              {op.error_code ? <> · code {op.error_code}</> : null}
            </p>
          ) : null}
        </div>
        <Button size="sm" onClick={dismiss}>
          Dismiss
        </Button>
      </div>
    </div>
  );
}

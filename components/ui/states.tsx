// Loading, error and empty states, so no list is ever just blank.
import type { ReactNode } from "react";
import { Button } from "@/components/ui/button";

export function LoadingRows({ label }: { label: string }) {
  return (
    <div role="status" aria-live="polite" className="space-y-2 rounded-lg border border-zinc-200 bg-white p-4">
      <span className="sr-only">{label}</span>
      {[0, 1, 2].map((i) => (
        <div key={i} aria-hidden className="h-5 motion-safe:animate-pulse rounded bg-zinc-100" />
      ))}
    </div>
  );
}

export function ErrorState({ title, error, onRetry }: { title: string; error: unknown; onRetry?: () => void }) {
  return (
    <div role="alert" className="rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-900">
      <p className="font-medium">{title}</p>
      <p className="mt-1">{error instanceof Error ? error.message : "Something went wrong."}</p>
      {onRetry ? (
        <Button size="sm" className="mt-3" onClick={onRetry}>
          Try again
        </Button>
      ) : null}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="rounded-lg border border-dashed border-zinc-300 bg-white px-6 py-10 text-center">
      <p className="text-sm font-medium text-zinc-900">{title}</p>
      {children ? <div className="mt-1 text-sm text-zinc-600">{children}</div> : null}
    </div>
  );
}

"use client";
// When a snapshot was taken, when it finished and how long it took, in words that fit a
// table cell on a phone.
import { cn } from "@/components/ui/cn";
import { Elapsed } from "@/components/ui/elapsed";
import { formatDuration } from "@/components/ui/format";
import { RelativeTime, formatLocal, formatUtc, useNow } from "@/components/ui/relative-time";
import type { Snapshot } from "@/lib/schemas/api-responses";

export function SnapshotTimes({ snapshot, className }: { snapshot: Snapshot; className?: string }) {
  const now = useNow();
  const started = new Date(snapshot.created_at).getTime();
  return (
    <div className={cn("text-xs text-zinc-700", className)} data-testid="snapshot-times">
      <p>
        <RelativeTime iso={snapshot.created_at} />
      </p>
      {snapshot.completed_at ? (
        <p className="text-zinc-600">
          <span className="whitespace-nowrap">
            finished{" "}
            <time dateTime={snapshot.completed_at} title={formatUtc(snapshot.completed_at)} suppressHydrationWarning>
              {formatLocal(snapshot.completed_at, now)}
            </time>
          </span>{" "}
          <span className="whitespace-nowrap">· took {formatDuration(new Date(snapshot.completed_at).getTime() - started)}</span>
        </p>
      ) : snapshot.status === "in_progress" ? (
        <p className="whitespace-nowrap text-zinc-600">
          running for <Elapsed since={snapshot.created_at} />
        </p>
      ) : null}
    </div>
  );
}

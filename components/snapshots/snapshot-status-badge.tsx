import { ConsistencyBadge } from "@/components/snapshots/consistency-badge";
import { Badge } from "@/components/ui/badge";
import { Progress } from "@/components/ui/progress";
import type { Snapshot } from "@/lib/schemas/api-responses";

/**
 * testId: only the copy in the Status column carries it (a phone shows a second copy under the
 * name). A completed snapshot also shows its consistency (`<testId>-consistency`). progress:
 * the running operation's when the row is what it writes (the table decides), so the row and
 * the progress banner never disagree.
 */
export function SnapshotStatusBadge({
  snapshot,
  progress = snapshot.progress,
  testId = "snapshot-status",
}: {
  snapshot: Snapshot;
  progress?: number;
  testId?: string;
}) {
  if (snapshot.status === "in_progress") {
    return (
      <div className="w-32 space-y-1.5" data-testid={testId}>
        <Badge tone="blue" pulse>
          In progress · {Math.round(progress)}%
        </Badge>
        <Progress value={progress} label={`Snapshot ${snapshot.name} progress`} />
      </div>
    );
  }
  if (snapshot.status === "failed") {
    return (
      <div className="max-w-56 space-y-1" data-testid={testId}>
        <Badge tone="red">Failed</Badge>
        {snapshot.error ? <p className="text-xs text-red-800">{snapshot.error}</p> : null}
      </div>
    );
  }
  return (
    <div className="flex flex-col items-start gap-1" data-testid={testId}>
      <Badge tone="green">Completed</Badge>
      {snapshot.consistency ? <ConsistencyBadge consistency={snapshot.consistency} testId={`${testId}-consistency`} /> : null}
    </div>
  );
}

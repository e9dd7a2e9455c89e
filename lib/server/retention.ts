// Retention of scheduled snapshots (SPEC §6), as pure decisions over a server's snapshot
// rows; lib/server/scheduled-runs.ts and the scheduled-snapshot job apply them inside
// their transactions. Manual, safety and protected snapshots are never pruned; safety
// snapshots do not count against the limit.
import "server-only";

export type RetentionRow = {
  id: number;
  kind: string;
  status: string;
  protected: boolean;
  createdAt: Date;
  /** An operation (queued or running) uses it, e.g. as the source of a restore: not pruned now. */
  inUse?: boolean;
};

const COUNTED = new Set(["in_progress", "completed"]);
const newestFirst = (a: RetentionRow, b: RetentionRow) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id;
const prunable = (s: RetentionRow) => s.kind === "scheduled" && s.status === "completed" && !s.protected && !s.inUse;

/** Snapshots that count against the server's limit. */
export function countedAgainstLimit(rows: RetentionRow[]): number {
  return rows.filter((s) => s.kind !== "safety" && COUNTED.has(s.status)).length;
}

/**
 * Before a scheduled run: room under the limit → run; at the limit → first delete the
 * oldest prunable scheduled snapshot (one an operation uses is skipped); none → refuse,
 * touching nothing.
 */
export function planScheduledRun(rows: RetentionRow[], limit: number): { run: true; prune: number | null } | { run: false } {
  if (countedAgainstLimit(rows) < limit) return { run: true, prune: null };
  const oldest = rows.filter(prunable).sort(newestFirst).at(-1);
  return oldest ? { run: true, prune: oldest.id } : { run: false };
}

/** After a scheduled snapshot completed: the scheduled ones beyond the newest `keep` (protected ones stay). */
export function prunedBeyondKeep(rows: RetentionRow[], keep: number): number[] {
  const scheduled = rows.filter((s) => s.kind === "scheduled" && s.status === "completed").sort(newestFirst);
  return scheduled
    .slice(keep)
    .filter((s) => !s.protected && !s.inUse)
    .map((s) => s.id);
}

/** `auto-YYYYMMDD-HHMM` (UTC; `safety-…` for safety snapshots), with `-2`, `-3`… when the server already has that name. */
export function timestampedName(prefix: "auto" | "safety", at: Date, taken: ReadonlySet<string>): string {
  const p = (n: number) => String(n).padStart(2, "0");
  const base = `${prefix}-${at.getUTCFullYear()}${p(at.getUTCMonth() + 1)}${p(at.getUTCDate())}-${p(at.getUTCHours())}${p(at.getUTCMinutes())}`;
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

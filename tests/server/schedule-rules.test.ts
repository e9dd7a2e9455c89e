// The pure parts of schedules (SPEC §6), table-driven and in UTC: cron's next run, the
// retention decision before and after a scheduled run, and scheduled snapshot names.
import { describe, expect, it } from "vitest";
import { cronError, nextRunAfter } from "@/lib/schemas/cron";
import {
  countedAgainstLimit,
  planScheduledRun,
  prunedBeyondKeep,
  timestampedName,
  type RetentionRow,
} from "@/lib/server/retention";

describe("cron next run (UTC)", () => {
  it.each([
    // cron, after, next
    ["0 3 * * *", "2026-01-01T02:59:59Z", "2026-01-01T03:00:00Z"],
    ["0 3 * * *", "2026-01-01T03:00:00Z", "2026-01-02T03:00:00Z"], // strictly after
    ["0 3 * * *", "2026-12-31T04:00:00Z", "2027-01-01T03:00:00Z"],
    ["0 */6 * * *", "2026-03-29T00:30:00Z", "2026-03-29T06:00:00Z"], // EU DST day: no shift, cron is UTC
    ["0 */6 * * *", "2026-10-25T23:59:00Z", "2026-10-26T00:00:00Z"],
    ["0 3 * * 0", "2026-11-27T10:00:00Z", "2026-11-29T03:00:00Z"], // Friday → Sunday
    ["*/15 * * * *", "2026-05-05T10:07:30Z", "2026-05-05T10:15:00Z"],
    ["30 12 29 2 *", "2026-03-01T00:00:00Z", "2028-02-29T12:30:00Z"], // leap day
    ["  5   4  *  *  * ", "2026-01-01T00:00:00Z", "2026-01-01T04:05:00Z"], // extra spaces
  ])("%s after %s is %s", (cron, after, next) => {
    expect(cronError(cron)).toBeNull();
    expect(nextRunAfter(cron, new Date(after)).toISOString()).toBe(new Date(next).toISOString());
  });

  it.each([
    ["", /5 fields/],
    ["* * * *", /5 fields/],
    ["0 0 * * * *", /5 fields/], // seconds are not part of the dialect
    ["@daily", /5 fields/],
    ["61 * * * *", /not a valid cron/],
    ["0 24 * * *", /not a valid cron/],
    ["0 3 32 * *", /not a valid cron/],
    ["a b c d e", /not a valid cron/],
  ])("rejects %j", (cron, reason) => {
    expect(cronError(cron)).toMatch(reason);
  });
});

const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 0, minutes));
let nextId = 1;
const row = (kind: string, minutes: number, extra: Partial<RetentionRow> = {}): RetentionRow => ({
  id: nextId++,
  kind,
  status: "completed",
  protected: false,
  createdAt: at(minutes),
  ...extra,
});

describe("retention before a scheduled run", () => {
  it("runs without pruning below the limit; safety and failed snapshots do not count", () => {
    const rows = [
      row("manual", 1),
      row("scheduled", 2),
      row("safety", 3),
      row("safety", 4),
      row("manual", 5, { status: "failed" }),
    ];
    expect(countedAgainstLimit(rows)).toBe(2);
    expect(planScheduledRun(rows, 3)).toEqual({ run: true, prune: null });
  });

  it.each([
    {
      name: "at the limit: the oldest unprotected scheduled one goes",
      rows: () => [row("scheduled", 5), row("manual", 1), row("scheduled", 3), row("scheduled", 2, { protected: true })],
      prune: 2, // index into rows: the scheduled one of minute 3
    },
    {
      name: "manual and protected ones are never chosen, however old",
      rows: () => [row("manual", 0), row("scheduled", 1, { protected: true }), row("scheduled", 9)],
      prune: 2,
    },
    {
      name: "an in-progress or failed scheduled one is not chosen",
      rows: () => [
        row("scheduled", 1, { status: "in_progress" }),
        row("scheduled", 2, { status: "failed" }),
        row("scheduled", 3),
        row("manual", 4),
      ],
      prune: 2,
    },
  ])("$name", ({ rows: make, prune }) => {
    const rows = make();
    const counted = countedAgainstLimit(rows);
    expect(planScheduledRun(rows, counted)).toEqual({ run: true, prune: rows[prune]!.id });
  });

  it("refuses when at the limit with nothing prunable (manual, safety, protected only)", () => {
    const rows = [row("manual", 1), row("scheduled", 2, { protected: true }), row("manual", 3), row("safety", 4)];
    expect(planScheduledRun(rows, 3)).toEqual({ run: false });
  });
});

describe("retention after a scheduled run", () => {
  it.each([
    { keep: 2, minutes: [1, 2, 3], pruned: [1] },
    { keep: 1, minutes: [1, 2, 3], pruned: [1, 2] },
    { keep: 5, minutes: [1, 2, 3], pruned: [] },
    { keep: 3, minutes: [4, 1, 3, 2, 5], pruned: [1, 2] }, // order of rows does not matter
  ])("keep $keep of scheduled snapshots taken at $minutes prunes those of $pruned", ({ keep, minutes, pruned }) => {
    const rows = minutes.map((m) => row("scheduled", m));
    const byMinute = new Map(rows.map((r) => [r.id, r.createdAt.getUTCMinutes()]));
    expect(
      prunedBeyondKeep(rows, keep)
        .map((id) => byMinute.get(id))
        .sort(),
    ).toEqual(pruned);
  });

  it("never prunes manual, safety or protected snapshots; protected ones still count towards keep", () => {
    const rows = [
      row("manual", 0),
      row("safety", 1),
      row("scheduled", 2, { protected: true }),
      row("scheduled", 3),
      row("scheduled", 4),
    ];
    expect(prunedBeyondKeep(rows, 1)).toEqual([rows[3]!.id]);
    expect(prunedBeyondKeep(rows, 2)).toEqual([]);
  });
});

describe("scheduled snapshot names", () => {
  it.each([
    ["2026-11-27T03:00:00Z", [], "auto-20261127-0300"],
    ["2026-01-05T23:59:59Z", [], "auto-20260105-2359"],
    ["2026-11-27T03:00:00Z", ["auto-20261127-0300"], "auto-20261127-0300-2"],
    ["2026-11-27T03:00:00Z", ["auto-20261127-0300", "auto-20261127-0300-2"], "auto-20261127-0300-3"],
  ])("at %s with %j taken → %s", (time, taken, name) => {
    expect(timestampedName("auto", new Date(time), new Set(taken))).toBe(name);
  });
});

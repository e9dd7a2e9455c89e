// The small pure helpers the dashboard shows numbers and classes with.
import { describe, expect, it } from "vitest";
import { cn } from "@/components/ui/cn";
import { formatDuration, formatMb } from "@/components/ui/format";
import { formatRelative } from "@/components/ui/relative-time";

describe("formatMb", () => {
  it("shows small sizes in KB, so a nearly empty disk's snapshot is not '0 MB'", () => {
    expect(formatMb(0.04)).toBe("41 KB");
    expect(formatMb(0)).toBe("0 KB");
    expect(formatMb(0.5)).toBe("512 KB");
  });
  it("MB below a gigabyte, GB above, dash when unknown", () => {
    expect(formatMb(1)).toBe("1 MB");
    expect(formatMb(23.46)).toBe("23.5 MB");
    expect(formatMb(2048)).toBe("2 GB");
    expect(formatMb(null)).toBe("—");
  });
});

describe("formatDuration", () => {
  it("seconds, minutes and seconds, hours and minutes", () => {
    expect(formatDuration(4_400)).toBe("4 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
    expect(formatDuration(120_000)).toBe("2 min");
    expect(formatDuration(3_780_000)).toBe("1 h 3 min");
  });
});

describe("cn", () => {
  it("lets a caller's colour win over the variant's (the grey Delete button)", () => {
    expect(cn("text-zinc-700 hover:bg-zinc-100", "text-red-700 hover:bg-red-50")).toBe("text-red-700 hover:bg-red-50");
  });
  it("skips falsy values", () => {
    expect(cn("a", false, null, undefined, "b")).toBe("a b");
  });
});

describe("formatRelative", () => {
  const DAY = 24 * 3600 * 1000;
  const now = Date.parse("2026-12-03T12:00:00Z");
  const at = (ms: number) => new Date(now + ms).toISOString();
  it("days up to two weeks, the same on either side of the exact week", () => {
    expect(formatRelative(at(7 * DAY), now)).toBe("in 7 days");
    expect(formatRelative(at(7 * DAY - 5_000), now)).toBe("in 7 days");
    expect(formatRelative(at(13 * DAY), now)).toBe("in 13 days");
    expect(formatRelative(at(-DAY), now)).toBe("yesterday");
  });
  it("weeks from two weeks, then months and years; seconds are just now", () => {
    expect(formatRelative(at(14 * DAY), now)).toBe("in 2 weeks");
    expect(formatRelative(at(-60 * DAY), now)).toBe("2 months ago");
    expect(formatRelative(at(-30_000), now)).toBe("just now");
    expect(formatRelative(at(-3 * 60_000), now)).toBe("3 minutes ago");
  });
});

// The small pure helpers the dashboard shows numbers and classes with.
import { describe, expect, it } from "vitest";
import { cn } from "@/components/ui/cn";
import { formatDuration, formatMb } from "@/components/ui/format";

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

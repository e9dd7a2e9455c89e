"use client";
// "3 minutes ago · Nov 27, 14:05": relative and exact local time side by side (phones
// cannot hover), the exact UTC time on hover and in the <time> element. A shared clock
// re-renders these once every 30 s without any network traffic.
import { useSyncExternalStore } from "react";

const listeners = new Set<() => void>();
let now = Date.now();
let timer: ReturnType<typeof setInterval> | null = null;

function subscribe(listener: () => void) {
  // A newly shown time must not read a clock that last ticked up to 30 s ago.
  now = Date.now();
  listeners.add(listener);
  if (!timer) {
    timer = setInterval(() => {
      now = Date.now();
      listeners.forEach((l) => l());
    }, 30_000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}

const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
// Each unit from the size at which it reads well: days up to two weeks ("in 7 days", never
// "next week" for a token made to last a week, nor a flip between the two as seconds pass).
const UNITS: Array<[Intl.RelativeTimeFormatUnit, number, number]> = [
  ["year", 365 * 24 * 3600, 365 * 24 * 3600],
  ["month", 30 * 24 * 3600, 30 * 24 * 3600],
  ["week", 7 * 24 * 3600, 14 * 24 * 3600],
  ["day", 24 * 3600, 24 * 3600],
  ["hour", 3600, 3600],
  ["minute", 60, 60],
];

export function formatRelative(iso: string, reference: number): string {
  const seconds = Math.round((new Date(iso).getTime() - reference) / 1000);
  if (Math.abs(seconds) < 45) return "just now";
  for (const [unit, size, from] of UNITS) {
    if (Math.abs(seconds) >= from) return rtf.format(Math.round(seconds / size), unit);
  }
  return rtf.format(Math.round(seconds / 60), "minute");
}

export function formatUtc(iso: string): string {
  return new Date(iso)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, " UTC");
}

/** The exact time in the browser's own time zone; the year only when it is not this year. */
export function formatLocal(iso: string, reference: number = Date.now()): string {
  const date = new Date(iso);
  const sameYear = date.getFullYear() === new Date(reference).getFullYear();
  return date.toLocaleString(undefined, {
    ...(sameYear ? {} : { year: "numeric" }),
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
}

export function useNow(): number {
  return useSyncExternalStore(
    subscribe,
    () => now,
    () => now,
  );
}

export function RelativeTime({
  iso,
  className,
  exact = true,
}: {
  iso: string | null | undefined;
  className?: string;
  exact?: boolean;
}) {
  const current = useNow();
  if (!iso) return <span className={className}>—</span>;
  // Each part stays on one line ("1 minute ago" never wraps mid-phrase); the two parts
  // may wrap between them on a narrow screen.
  return (
    <time dateTime={iso} title={formatUtc(iso)} className={className} suppressHydrationWarning>
      <span className="whitespace-nowrap">{formatRelative(iso, current)}</span>
      {exact ? (
        <>
          {" "}
          <span className="whitespace-nowrap text-zinc-600">· {formatLocal(iso, current)}</span>
        </>
      ) : null}
    </time>
  );
}

import type { ReactNode } from "react";
import { cn } from "@/components/ui/cn";

export type BadgeTone = "green" | "blue" | "red" | "gray" | "amber";

// Dark text on pale fills keeps every tone above WCAG AA contrast.
const TONES: Record<BadgeTone, { box: string; dot: string }> = {
  green: { box: "bg-green-50 text-green-800 ring-green-600/25", dot: "bg-green-600" },
  blue: { box: "bg-blue-50 text-blue-800 ring-blue-600/25", dot: "bg-blue-600" },
  red: { box: "bg-red-50 text-red-800 ring-red-600/25", dot: "bg-red-600" },
  gray: { box: "bg-zinc-100 text-zinc-700 ring-zinc-500/25", dot: "bg-zinc-500" },
  amber: { box: "bg-amber-50 text-amber-900 ring-amber-600/30", dot: "bg-amber-500" },
};

export function Badge({
  tone,
  pulse = false,
  children,
  className,
}: {
  tone: BadgeTone;
  pulse?: boolean;
  children: ReactNode;
  className?: string;
}) {
  return (
    <span
      className={cn(
        "inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset",
        TONES[tone].box,
        className,
      )}
    >
      <span aria-hidden className={cn("size-1.5 rounded-full", TONES[tone].dot, pulse && "motion-safe:animate-pulse")} />
      {children}
    </span>
  );
}

"use client";
// "running for 1 min 5 s", counting every second while work runs: the page's data arrives
// every 1.5 s at best (and the shared clock of relative times ticks every 30 s), so a
// duration computed from either would freeze between them.
import { useEffect, useState } from "react";
import { formatDuration } from "@/components/ui/format";

export function Elapsed({ since, className }: { since: string; className?: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  return (
    <span className={className} data-testid="elapsed" suppressHydrationWarning>
      {formatDuration(Math.max(0, now - new Date(since).getTime()))}
    </span>
  );
}

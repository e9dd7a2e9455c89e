/** Sizes as consoles show them: KB below a megabyte (a nearly empty disk is not "0 MB"), MB below a gigabyte, GB above. */
export function formatMb(mb: number | null | undefined): string {
  if (mb === null || mb === undefined) return "—";
  if (mb < 1) return `${Math.round(mb * 1024)} KB`;
  if (mb < 1024) return `${Math.round(mb * 10) / 10} MB`;
  return `${Math.round((mb / 1024) * 10) / 10} GB`;
}

/** "45 s", "2 min 5 s", "1 h 3 min": how long an operation took. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 ? `${minutes} min ${seconds % 60} s` : `${minutes} min`;
  return minutes % 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${Math.floor(minutes / 60)} h`;
}

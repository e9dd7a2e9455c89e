/** Sizes as consoles show them: MB below a gigabyte, GB with one decimal above. */
export function formatMb(mb: number | null | undefined): string {
  if (mb === null || mb === undefined) return "—";
  if (mb < 1024) return `${Math.round(mb * 10) / 10} MB`;
  return `${Math.round((mb / 1024) * 10) / 10} GB`;
}

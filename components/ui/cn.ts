/** Joins class names, skipping falsy ones. Enough for this app; no merge semantics needed. */
export function cn(...classes: Array<string | false | null | undefined>): string {
  return classes.filter(Boolean).join(" ");
}

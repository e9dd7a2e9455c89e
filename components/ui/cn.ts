// shadcn's helper: clsx joins conditional classes, tailwind-merge lets a later utility win
// over an earlier one of the same group (a caller's text-red-700 over a variant's text-zinc-700).
import { clsx, type ClassValue } from "clsx";
import { twMerge } from "tailwind-merge";

export function cn(...classes: ClassValue[]): string {
  return twMerge(clsx(classes));
}

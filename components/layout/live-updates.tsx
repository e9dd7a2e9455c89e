"use client";
// Holds the dashboard's live stream while a signed-in page is open (lib/client/live.ts).
import { useLiveUpdates } from "@/lib/client/live";

export function LiveUpdates() {
  useLiveUpdates();
  return null;
}

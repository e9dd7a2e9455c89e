// Key factories for every resource, in one module so hooks can read each other's cache
// (the server page polls while either the server or one of its snapshots is busy).
import type { AuditAction, AuditResult } from "@/lib/schemas/events";

export const serverKeys = {
  all: ["servers"] as const,
  list: () => [...serverKeys.all, "list"] as const,
  detail: (id: number) => [...serverKeys.all, "detail", id] as const,
};

export const snapshotKeys = {
  all: ["snapshots"] as const,
  // A filtered list is its own entry; list(serverId) as a prefix still matches it.
  list: (serverId: number, labelSelector = "") =>
    [...snapshotKeys.all, "list", labelSelector ? { serverId, labelSelector } : { serverId }] as const,
};

export const tokenKeys = {
  all: ["tokens"] as const,
  list: () => [...tokenKeys.all, "list"] as const,
};

export const hostKeys = {
  all: ["hosts"] as const,
  list: () => [...hostKeys.all, "list"] as const,
};

export const scheduleKeys = {
  all: ["schedules"] as const,
  list: (serverId: number) => [...scheduleKeys.all, "list", { serverId }] as const,
};

/** The activity's filters besides the server (GET /api/v1/events/?action=&result=). */
export type EventFilters = { action?: AuditAction; result?: AuditResult };

export const eventKeys = {
  all: ["events"] as const,
  list: (serverId: number | null, page: number, filters: EventFilters = {}) =>
    [...eventKeys.all, "list", { serverId, page, ...filters }] as const,
};

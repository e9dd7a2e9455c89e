"use client";
// The activity's filters: what was done, whether it was refused, and (on the Activity page)
// on which server. Each is a labelled native select, so keyboards and phones work as usual.
import type { ReactNode } from "react";
import { useServers } from "@/lib/client/servers";
import type { EventFilters } from "@/lib/client/events";
import { AUDIT_ACTIONS, type AuditAction, type AuditResult } from "@/lib/schemas/events";

export const ACTION_LABELS: Record<AuditAction, string> = {
  "snapshot.create": "Create snapshot",
  "snapshot.update": "Edit snapshot",
  "snapshot.restore": "Restore snapshot",
  "snapshot.delete": "Delete snapshot",
  "snapshot.prune": "Prune snapshot",
  "snapshot.expire": "Expire snapshot",
  "schedule.create": "Create schedule",
  "schedule.update": "Edit schedule",
  "schedule.delete": "Delete schedule",
  "schedule.run": "Run schedule",
  "server.stop": "Stop server",
  "server.start": "Start server",
  "token.create": "Create API token",
  "token.revoke": "Revoke API token",
};

const SELECT =
  "block h-9 w-full rounded-md border border-zinc-300 bg-white px-2 text-sm text-zinc-900 focus:border-blue-600 focus:ring-1 focus:ring-blue-600 focus:outline-none";

function Select({
  id,
  label,
  value,
  onChange,
  children,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  children: ReactNode;
}) {
  return (
    <div className="min-w-0 space-y-1">
      <label htmlFor={id} className="block text-xs font-medium text-zinc-700">
        {label}
      </label>
      <select id={id} className={SELECT} value={value} onChange={(e) => onChange(e.target.value)}>
        {children}
      </select>
    </div>
  );
}

function ServerSelect({ value, onChange }: { value: number | null; onChange: (serverId: number | null) => void }) {
  const { data } = useServers();
  const servers = [...(data?.results ?? [])].sort((a, b) => a.name.localeCompare(b.name));
  return (
    <Select
      id="activity-server"
      label="Server"
      value={value === null ? "" : String(value)}
      onChange={(v) => onChange(v ? Number(v) : null)}
    >
      <option value="">All servers</option>
      {servers.map((server) => (
        <option key={server.id} value={server.id}>
          {server.name}
        </option>
      ))}
    </Select>
  );
}

export function EventFiltersBar({
  filters,
  onFilters,
  serverId,
  onServerId,
}: {
  filters: EventFilters;
  onFilters: (filters: EventFilters) => void;
  /** Omitted on a server's own activity tab, where the server is given. */
  serverId?: number | null;
  onServerId?: (serverId: number | null) => void;
}) {
  return (
    <div role="group" aria-label="Filter activity" className="grid grid-cols-1 gap-3 sm:grid-cols-3 sm:items-end">
      <Select
        id="activity-action"
        label="Action"
        value={filters.action ?? ""}
        onChange={(v) => onFilters({ ...filters, action: (v || undefined) as AuditAction | undefined })}
      >
        <option value="">All actions</option>
        {AUDIT_ACTIONS.map((action) => (
          <option key={action} value={action}>
            {ACTION_LABELS[action]}
          </option>
        ))}
      </Select>
      <Select
        id="activity-result"
        label="Result"
        value={filters.result ?? ""}
        onChange={(v) => onFilters({ ...filters, result: (v || undefined) as AuditResult | undefined })}
      >
        <option value="">Succeeded or refused</option>
        <option value="success">Succeeded</option>
        <option value="failure">Refused</option>
      </Select>
      {onServerId ? <ServerSelect value={serverId ?? null} onChange={onServerId} /> : null}
    </div>
  );
}

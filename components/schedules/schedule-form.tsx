"use client";
// New schedule: a preset or a custom cron (UTC), how many scheduled snapshots to keep, and
// whether it starts enabled. The next run is previewed in local time and UTC as you type.
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Field, Input } from "@/components/ui/input";
import { formatLocal, formatUtc } from "@/components/ui/relative-time";
import { ApiError } from "@/lib/client/api-fetch";
import { useCreateSchedule } from "@/lib/client/schedules";
import { cronError, nextRunAfter } from "@/lib/schemas/cron";
import { KEEP_MAX, SCHEDULE_PRESETS } from "@/lib/schemas/schedules";

const CUSTOM = "custom";
const SELECT =
  "block h-9 w-full rounded-md border border-zinc-300 bg-white px-2 text-sm text-zinc-900 focus:border-blue-600 focus:outline-none focus:ring-1 focus:ring-blue-600";

export function ScheduleForm({ serverId, onDone }: { serverId: number; onDone: () => void }) {
  const create = useCreateSchedule(serverId);
  const [preset, setPreset] = useState<string>(SCHEDULE_PRESETS[0].cron);
  const [custom, setCustom] = useState("30 2 * * 1-5");
  const [keep, setKeep] = useState(3);
  const [enabled, setEnabled] = useState(true);
  const cron = preset === CUSTOM ? custom : preset;
  const localError = cronError(cron);
  const serverError = create.error instanceof ApiError ? create.error.errors?.cron?.[0] : undefined;
  const cronMessage = preset === CUSTOM && localError ? `Cron ${localError}` : serverError;
  const next = localError ? null : nextRunAfter(cron, new Date()).toISOString();

  return (
    <form
      aria-label="New schedule"
      className="space-y-3 rounded-lg border border-zinc-200 bg-zinc-50 p-3"
      onSubmit={(event) => {
        event.preventDefault();
        if (!localError && !create.isPending) create.mutate({ cron, keep, enabled }, { onSuccess: onDone });
      }}
    >
      <div className="grid gap-3 sm:grid-cols-[1fr_1fr_auto]">
        <Field id="schedule-preset" label="When (UTC)">
          <select id="schedule-preset" className={SELECT} value={preset} onChange={(e) => setPreset(e.target.value)}>
            {SCHEDULE_PRESETS.map((p) => (
              <option key={p.cron} value={p.cron}>
                {p.label} UTC
              </option>
            ))}
            <option value={CUSTOM}>Custom cron…</option>
          </select>
        </Field>
        <Field id="schedule-keep" label="Keep" hint="Newest scheduled snapshots kept; older ones are deleted.">
          <select id="schedule-keep" className={SELECT} value={keep} onChange={(e) => setKeep(Number(e.target.value))}>
            {Array.from({ length: KEEP_MAX }, (_, i) => i + 1).map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </Field>
        <label className="flex items-center gap-2 self-center text-sm text-zinc-800 sm:pt-5">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} className="size-4" />
          Enabled
        </label>
      </div>
      {preset === CUSTOM ? (
        <Field
          id="schedule-cron"
          label="Cron expression (UTC)"
          hint='"minute hour day-of-month month day-of-week", e.g. 30 2 * * 1-5'
          error={cronMessage}
        >
          <Input
            id="schedule-cron"
            value={custom}
            onChange={(e) => setCustom(e.target.value)}
            aria-invalid={cronMessage ? true : undefined}
            aria-describedby={cronMessage ? "schedule-cron-error" : "schedule-cron-hint"}
            className="font-mono"
            autoComplete="off"
            spellCheck={false}
          />
        </Field>
      ) : null}
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-xs text-zinc-700" data-testid="schedule-preview">
          {next ? (
            <>
              First run {formatLocal(next)} your time · {formatUtc(next)}
            </>
          ) : (
            "No next run: fix the cron expression."
          )}
        </p>
        <div className="flex gap-2">
          <Button onClick={onDone}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={!!localError || create.isPending}>
            {create.isPending ? "Creating…" : "Create schedule"}
          </Button>
        </div>
      </div>
    </form>
  );
}

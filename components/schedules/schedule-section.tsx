"use client";
// A server's schedules: each with its next run (local time and UTC), its last run, an
// enabled toggle, run now and delete; and the form for a new one.
import { useState } from "react";
import { ScheduleForm } from "@/components/schedules/schedule-form";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { formatLocal, formatUtc, RelativeTime } from "@/components/ui/relative-time";
import { ErrorState, LoadingRows } from "@/components/ui/states";
import { isServerBusy } from "@/lib/client/polling";
import { useDeleteSchedule, useRunSchedule, useSchedules, useUpdateSchedule } from "@/lib/client/schedules";
import { SCHEDULE_PRESETS } from "@/lib/schemas/schedules";
import type { Schedule, Server } from "@/lib/schemas/api-responses";

const RUN_TONE: Record<string, BadgeTone> = { running: "blue", completed: "green", failed: "red" };

function describeCron(cron: string): string {
  return SCHEDULE_PRESETS.find((p) => p.cron === cron)?.label ?? `Cron ${cron}`;
}

function ScheduleRow({ schedule, server }: { schedule: Schedule; server: Server }) {
  const update = useUpdateSchedule();
  const run = useRunSchedule();
  const remove = useDeleteSchedule();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const last = schedule.last_run;
  const busy = isServerBusy(server);
  return (
    <li
      className="flex flex-col gap-2 py-3 sm:flex-row sm:items-start sm:justify-between"
      data-testid="schedule-row"
      data-schedule-id={schedule.id}
    >
      <div className="space-y-1 text-sm">
        <p className="font-medium text-zinc-900">
          {describeCron(schedule.cron)} <span className="font-normal text-zinc-600">UTC · keep {schedule.keep}</span>
        </p>
        <p className="font-mono text-xs text-zinc-600">{schedule.cron}</p>
        <p className="text-zinc-700" data-testid="schedule-next-run">
          Next run:{" "}
          {schedule.next_run_at ? (
            <>
              {formatLocal(schedule.next_run_at)} your time{" "}
              <span className="text-zinc-600">· {formatUtc(schedule.next_run_at)}</span>
            </>
          ) : (
            "paused"
          )}
        </p>
        <p className="flex flex-wrap items-center gap-1.5 text-zinc-700" data-testid="schedule-last-run">
          Last run:{" "}
          {last ? (
            <>
              <Badge tone={RUN_TONE[last.status] ?? "gray"} pulse={last.status === "running"}>
                {last.status}
              </Badge>
              <RelativeTime iso={last.at} />
            </>
          ) : (
            "never"
          )}
        </p>
        {last?.error ? <p className="max-w-xl text-xs text-red-800">{last.error}</p> : null}
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <label className="flex items-center gap-1.5 text-sm text-zinc-800">
          <input
            type="checkbox"
            className="size-4"
            checked={schedule.enabled}
            disabled={update.isPending}
            onChange={(e) => update.mutate({ id: schedule.id, enabled: e.target.checked })}
          />
          Enabled
        </label>
        <Button
          size="sm"
          disabled={busy || run.isPending}
          title={busy ? "An operation is running on this server." : undefined}
          onClick={() => run.mutate(schedule)}
        >
          Run now
        </Button>
        <Button size="sm" variant="ghost" onClick={() => setConfirmDelete(true)}>
          Delete
        </Button>
      </div>
      <ConfirmDialog
        open={confirmDelete}
        onOpenChange={setConfirmDelete}
        title="Delete this schedule?"
        description="No more snapshots are taken on it. The snapshots it already took stay until you delete them."
        confirmLabel="Delete schedule"
        pending={remove.isPending}
        onConfirm={() => remove.mutate(schedule, { onSettled: () => setConfirmDelete(false) })}
      />
    </li>
  );
}

export function ScheduleSection({ server }: { server: Server }) {
  const { data, error, isPending, refetch } = useSchedules(server);
  const [adding, setAdding] = useState(false);
  return (
    <section aria-labelledby="schedules-heading" className="space-y-3">
      <div className="flex flex-col gap-2 sm:flex-row sm:items-center sm:justify-between">
        <div>
          <h2 id="schedules-heading" className="text-base font-semibold text-zinc-900">
            Schedules
          </h2>
          <p className="text-sm text-zinc-600">
            Automatic snapshots that rotate themselves. Manual, safety and protected snapshots are never deleted by a schedule.
          </p>
        </div>
        {adding ? null : <Button onClick={() => setAdding(true)}>Add schedule</Button>}
      </div>
      {adding ? <ScheduleForm serverId={server.id} onDone={() => setAdding(false)} /> : null}
      {isPending ? (
        <LoadingRows label="Loading schedules" />
      ) : error ? (
        <ErrorState title="Could not load the schedules." error={error} onRetry={() => void refetch()} />
      ) : data.results.length === 0 ? (
        adding ? null : (
          <p className="text-sm text-zinc-600">No schedules yet.</p>
        )
      ) : (
        <ul className="divide-y divide-zinc-200 rounded-lg border border-zinc-200 px-3">
          {data.results.map((schedule) => (
            <ScheduleRow key={schedule.id} schedule={schedule} server={server} />
          ))}
        </ul>
      )}
    </section>
  );
}

// Schedules of one server: list, create, change (enabled, keep, cron), run now, delete.
// A run changes the server and its snapshots too, so those keys are invalidated with it.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { toast } from "sonner";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";
import { scheduleKeys, serverKeys, snapshotKeys } from "@/lib/client/query-keys";
import type { CreatedSnapshot, Page, Schedule, Server } from "@/lib/schemas/api-responses";

/**
 * Follows the server: no requests of its own, busy or idle; it refetches when the server's
 * operation, latest snapshot or snapshot count changes (a run started or ended, here or
 * elsewhere), which is when last_run moves. Polling it too during an operation doubled the
 * page's requests per minute (docs/benchmarks.md, section 4) for nothing.
 */
export function useSchedules(server: Server) {
  const queryClient = useQueryClient();
  const fingerprint = `${server.operation?.id ?? ""}|${server.latest_snapshot_at}|${server.snapshot_count}`;
  const seen = useRef(fingerprint);
  useEffect(() => {
    if (seen.current === fingerprint) return;
    seen.current = fingerprint;
    void queryClient.invalidateQueries({ queryKey: scheduleKeys.list(server.id) });
  }, [fingerprint, queryClient, server.id]);
  return useQuery({
    queryKey: scheduleKeys.list(server.id),
    queryFn: () => apiFetch<Page<Schedule>>(`/schedules/?server_id=${server.id}`),
  });
}

function useInvalidateAll() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all(
      [scheduleKeys.all, snapshotKeys.all, serverKeys.all].map((queryKey) => queryClient.invalidateQueries({ queryKey })),
    );
}

export type ScheduleInput = { cron: string; keep: number; enabled: boolean };

export function useCreateSchedule(serverId: number) {
  const invalidate = useInvalidateAll();
  return useMutation({
    mutationFn: (input: ScheduleInput) =>
      apiFetch<Schedule>("/schedules/", { method: "POST", body: { server_id: serverId, ...input } }),
    onSuccess: () => toast.success("Schedule created."),
    onSettled: invalidate,
    // Field errors are shown in the form; other refusals as a toast.
    onError: (error) => toast.error(errorMessage(error)),
  });
}

export function useUpdateSchedule() {
  const invalidate = useInvalidateAll();
  return useMutation({
    mutationFn: ({ id, ...change }: { id: number } & Partial<ScheduleInput>) =>
      apiFetch<Schedule>(`/schedules/${id}/`, { method: "PATCH", body: change }),
    onSuccess: (schedule) => toast.success(schedule.enabled ? "Schedule enabled." : "Schedule paused."),
    onError: (error) => toast.error(errorMessage(error)),
    onSettled: invalidate,
  });
}

export function useRunSchedule() {
  const invalidate = useInvalidateAll();
  return useMutation({
    mutationFn: (schedule: Schedule) => apiFetch<CreatedSnapshot>(`/schedules/${schedule.id}/run/`, { method: "POST" }),
    onSuccess: (snapshot) =>
      toast.success(`Taking scheduled snapshot ${snapshot.name}.`, {
        description: "Older scheduled snapshots beyond the schedule's keep are deleted when it completes.",
      }),
    onError: (error) => toast.error(errorMessage(error)),
    onSettled: invalidate,
  });
}

export function useDeleteSchedule() {
  const invalidate = useInvalidateAll();
  return useMutation({
    mutationFn: (schedule: Schedule) => apiFetch<void>(`/schedules/${schedule.id}/`, { method: "DELETE" }),
    onSuccess: () => toast.success("Schedule deleted.", { description: "Its snapshots stay until you delete them." }),
    onError: (error) => toast.error(errorMessage(error)),
    onSettled: invalidate,
  });
}

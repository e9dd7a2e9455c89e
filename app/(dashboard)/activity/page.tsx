import type { Metadata } from "next";
import { EventList } from "@/components/activity/event-list";

export const metadata: Metadata = { title: "Activity" };

export default function ActivityPage() {
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-xl font-semibold text-zinc-900">Activity</h1>
        <p className="mt-1 max-w-2xl text-sm text-zinc-600">
          Everything done to your servers, snapshots and API tokens, from the dashboard, the API, schedules or Snapdeck itself,
          newest first. Refused attempts are listed too.
        </p>
      </div>
      <EventList />
    </div>
  );
}

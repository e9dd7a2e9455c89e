"use client";
// Start is harmless; stop interrupts whatever runs on the server, so it asks first, the
// way Hetzner Cloud and DigitalOcean ask before a power-off.
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { isGuest } from "@/lib/client/hypervisor";
import { isServerBusy } from "@/lib/client/polling";
import { useServerPower } from "@/lib/client/servers";
import type { Server } from "@/lib/schemas/api-responses";

export function PowerActions({ server }: { server: Server }) {
  const power = useServerPower();
  const [confirmStop, setConfirmStop] = useState(false);
  const busy = isServerBusy(server);
  const reason = busy
    ? "Power actions are unavailable while an operation runs."
    : server.status === "suspended"
      ? "A suspended server cannot be started or stopped."
      : undefined;

  return (
    <div className="flex flex-col items-start gap-1 sm:items-end">
      <div className="flex gap-2">
        <Button
          disabled={server.status !== "stopped" || busy || power.isPending}
          onClick={() => power.mutate({ server, action: "start" })}
        >
          Start
        </Button>
        <Button disabled={server.status !== "active" || busy || power.isPending} onClick={() => setConfirmStop(true)}>
          Stop
        </Button>
      </div>
      {reason ? <p className="text-xs text-zinc-600">{reason}</p> : null}
      <ConfirmDialog
        open={confirmStop}
        onOpenChange={setConfirmStop}
        title={`Stop ${server.name}?`}
        description={
          isGuest(server)
            ? "The guest is asked to shut down, and forced off if it has not within the host's timeout. Services running on it become unavailable until you start it again."
            : "The server is powered off. Services running on it become unavailable until you start it again."
        }
        confirmLabel="Stop server"
        pending={power.isPending}
        onConfirm={() => power.mutate({ server, action: "stop" }, { onSuccess: () => setConfirmStop(false) })}
      />
    </div>
  );
}

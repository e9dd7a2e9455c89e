"use client";
import { Badge } from "@/components/ui/badge";
import { RelativeTime } from "@/components/ui/relative-time";
import { EmptyState, ErrorState, LoadingRows } from "@/components/ui/states";
import { TBody, TD, TH, THead, TR, Table } from "@/components/ui/table";
import { useHosts } from "@/lib/client/hosts";

export function HostList() {
  const { data, error, isPending, refetch } = useHosts();
  if (isPending) return <LoadingRows label="Loading hosts" />;
  if (error) return <ErrorState title="Could not load hosts." error={error} onRetry={() => void refetch()} />;
  if (data.length === 0)
    return (
      <EmptyState title="No hosts yet">Create one with npm run cli -- host create --name hv-01, then start its agent.</EmptyState>
    );
  return (
    <Table>
      <caption className="sr-only">Hosts</caption>
      <THead>
        <TR>
          <TH>Name</TH>
          <TH>Hypervisor</TH>
          <TH>Status</TH>
          <TH>Last seen</TH>
          <TH className="text-right">Servers</TH>
          <TH className="text-right">Running operations</TH>
        </TR>
      </THead>
      <TBody>
        {data.map((host) => (
          <TR key={host.name} data-testid="host-row">
            <TD className="font-mono font-medium text-zinc-900">{host.name}</TD>
            <TD className="text-zinc-700">{host.hypervisor === "libvirt" ? "libvirt" : "Simulated"}</TD>
            <TD>
              <Badge tone={host.status === "online" ? "green" : "red"}>{host.status === "online" ? "Online" : "Offline"}</Badge>
            </TD>
            <TD className="text-zinc-700">{host.last_seen_at ? <RelativeTime iso={host.last_seen_at} /> : "Never"}</TD>
            <TD className="text-right text-zinc-700 tabular-nums">{host.servers}</TD>
            <TD className="text-right text-zinc-700 tabular-nums">{host.running_operations}</TD>
          </TR>
        ))}
      </TBody>
    </Table>
  );
}

"use client";
// The admins' Hosts page. On a phone the table keeps only name, status and servers; the
// hypervisor, last heartbeat and running operations move under the name, so nothing is
// cut off and no region needs scrolling sideways.
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
          <TH className="hidden sm:table-cell">Hypervisor</TH>
          <TH>Status</TH>
          <TH className="hidden sm:table-cell">Last seen</TH>
          <TH className="text-right">Servers</TH>
          <TH className="hidden text-right md:table-cell">Running operations</TH>
        </TR>
      </THead>
      <TBody>
        {data.map((host) => {
          const hypervisor = host.hypervisor === "libvirt" ? "libvirt" : "Simulated";
          return (
            <TR key={host.name} data-testid="host-row">
              <TD>
                <span className="font-mono font-medium [overflow-wrap:anywhere] text-zinc-900">{host.name}</span>
                <p className="mt-0.5 text-xs text-zinc-600 sm:hidden">
                  {hypervisor} · {host.last_seen_at ? <RelativeTime iso={host.last_seen_at} exact={false} /> : "not seen yet"}
                </p>
                <p className="mt-0.5 text-xs text-zinc-600 md:hidden">
                  {host.running_operations} running {host.running_operations === 1 ? "operation" : "operations"}
                </p>
              </TD>
              <TD className="hidden text-zinc-700 sm:table-cell">{hypervisor}</TD>
              <TD>
                <Badge tone={host.status === "online" ? "green" : "red"}>{host.status === "online" ? "Online" : "Offline"}</Badge>
              </TD>
              <TD className="hidden text-zinc-700 sm:table-cell">
                {host.last_seen_at ? <RelativeTime iso={host.last_seen_at} /> : "Never"}
              </TD>
              <TD className="text-right text-zinc-700 tabular-nums">{host.servers}</TD>
              <TD className="hidden text-right text-zinc-700 tabular-nums md:table-cell">{host.running_operations}</TD>
            </TR>
          );
        })}
      </TBody>
    </Table>
  );
}

"use client";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { RelativeTime } from "@/components/ui/relative-time";
import { EmptyState, ErrorState, LoadingRows } from "@/components/ui/states";
import { TBody, TD, TH, THead, TR, Table } from "@/components/ui/table";
import { useRevokeToken, useTokens } from "@/lib/client/tokens";
import type { ApiToken } from "@/lib/schemas/api-responses";

export function TokenList() {
  const { data, error, isPending, refetch } = useTokens();
  const revoke = useRevokeToken();
  const [target, setTarget] = useState<ApiToken | null>(null);

  if (isPending) return <LoadingRows label="Loading tokens" />;
  if (error) return <ErrorState title="Could not load tokens." error={error} onRetry={() => void refetch()} />;
  if (data.results.length === 0)
    return <EmptyState title="No tokens yet">Create one above to use the API from scripts.</EmptyState>;

  return (
    <>
      <Table>
        <caption className="sr-only">API tokens</caption>
        <THead>
          <TR>
            <TH>Name</TH>
            <TH>Scope</TH>
            <TH className="hidden sm:table-cell">Token</TH>
            <TH className="hidden md:table-cell">Created</TH>
            <TH className="hidden sm:table-cell">Last used</TH>
            <TH className="hidden sm:table-cell">Expires</TH>
            <TH className="text-right">
              <span className="sr-only">Actions</span>
            </TH>
          </TR>
        </THead>
        <TBody>
          {data.results.map((token) => (
            <TR key={token.id}>
              <TD className="[overflow-wrap:anywhere]">
                <span className="font-medium text-zinc-900">{token.name}</span>
                {/* On a phone the Last used and Expires columns are hidden; they move here, so
                    the row fits and its Revoke button stays on screen. */}
                <p className="mt-0.5 text-xs text-zinc-600 sm:hidden">
                  Last used: {token.last_used_at ? <RelativeTime iso={token.last_used_at} exact={false} /> : "Never"}
                </p>
                <p className="mt-0.5 text-xs text-zinc-600 sm:hidden">
                  Expires: {token.expires_at ? <RelativeTime iso={token.expires_at} exact={false} /> : "never"}
                </p>
              </TD>
              <TD>
                <Badge tone={token.scope === "write" ? "amber" : "gray"}>
                  {token.scope === "write" ? "Read & write" : "Read"}
                </Badge>
              </TD>
              <TD className="hidden font-mono text-xs text-zinc-700 sm:table-cell">{token.prefix}…</TD>
              <TD className="hidden text-zinc-700 md:table-cell">
                <RelativeTime iso={token.created_at} />
              </TD>
              <TD className="hidden text-zinc-700 sm:table-cell" data-testid="token-last-used">
                {token.last_used_at ? <RelativeTime iso={token.last_used_at} /> : "Never"}
              </TD>
              <TD className="hidden text-zinc-700 sm:table-cell" data-testid="token-expires">
                {token.expires_at ? <RelativeTime iso={token.expires_at} /> : "never"}
              </TD>
              <TD className="text-right">
                {/* The API lists only live tokens: a revoked one disappears from the list. */}
                <Button
                  size="sm"
                  variant="ghost"
                  className="text-red-700 hover:bg-red-50"
                  aria-label={`Revoke ${token.name}`}
                  onClick={() => setTarget(token)}
                >
                  Revoke
                </Button>
              </TD>
            </TR>
          ))}
        </TBody>
      </Table>
      <ConfirmDialog
        open={target !== null}
        onOpenChange={(open) => !open && setTarget(null)}
        title={`Revoke token ${target?.name ?? ""}?`}
        description="Scripts using this token stop working immediately. This cannot be undone; create a new token if you need one again."
        confirmLabel="Revoke token"
        pending={revoke.isPending}
        onConfirm={() => target && revoke.mutate(target, { onSuccess: () => setTarget(null) })}
      />
    </>
  );
}

"use client";
// The only moment the secret exists in the browser: the API stores just its hash.
import { useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogFooter } from "@/components/ui/dialog";
import { RelativeTime } from "@/components/ui/relative-time";
import type { CreatedApiToken } from "@/lib/schemas/api-responses";

async function copyText(text: string, fallbackInput: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Clipboard API needs a secure context; over plain HTTP select the text instead.
    fallbackInput?.select();
    return document.execCommand?.("copy") ?? false;
  }
}

export function NewTokenDialog({ token, onClose }: { token: CreatedApiToken | null; onClose: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <Dialog
      open={token !== null}
      onOpenChange={(open) => {
        if (!open) {
          setCopied(false);
          onClose();
        }
      }}
    >
      {token ? (
        <DialogContent
          title={`Token ${token.name} created`}
          description="Copy it now. It is shown only once: Snapdeck keeps only a hash and cannot show it again."
        >
          <div className="space-y-2">
            <label htmlFor="new-token-value" className="block text-sm font-medium text-zinc-800">
              Token ({token.scope === "write" ? "read & write" : "read only"})
            </label>
            <div className="flex gap-2">
              <input
                id="new-token-value"
                readOnly
                value={token.token}
                onFocus={(e) => e.currentTarget.select()}
                className="h-9 min-w-0 flex-1 rounded-md border border-zinc-300 bg-zinc-50 px-3 font-mono text-xs text-zinc-900"
              />
              <Button
                variant="primary"
                onClick={async () => {
                  const ok = await copyText(token.token, document.getElementById("new-token-value") as HTMLInputElement | null);
                  setCopied(ok);
                  if (ok) toast.success("Token copied to the clipboard.");
                  else toast.error("Could not copy. Select the token and copy it by hand.");
                }}
              >
                {copied ? "Copied" : "Copy"}
              </Button>
            </div>
            <p className="text-xs text-zinc-600" data-testid="new-token-expires">
              {token.expires_at ? (
                <>
                  Expires <RelativeTime iso={token.expires_at} />.
                </>
              ) : (
                "Never expires: revoke it when it is no longer needed."
              )}
            </p>
          </div>
          <DialogFooter>
            <DialogClose asChild>
              <Button>Done</Button>
            </DialogClose>
          </DialogFooter>
        </DialogContent>
      ) : null}
    </Dialog>
  );
}

"use client";
import { useState, type FormEvent } from "react";
import { NewTokenDialog } from "@/components/tokens/new-token-dialog";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { useCreateToken } from "@/lib/client/tokens";
import type { CreatedApiToken } from "@/lib/schemas/api-responses";
import { createTokenSchema, TOKEN_SCOPES, type TokenScope } from "@/lib/schemas/tokens";

// How long a new token works. A month by default: long enough for a script's setup, short
// enough that a forgotten token does not work for ever; "never" is still one choice away.
const EXPIRY_CHOICES = [
  { days: 7, label: "7 days" },
  { days: 30, label: "30 days" },
  { days: 90, label: "90 days" },
  { days: 365, label: "1 year" },
  { days: null, label: "Never" },
] as const;
const DEFAULT_EXPIRY_DAYS = 30;

export function CreateTokenForm() {
  const create = useCreateToken();
  const [name, setName] = useState("");
  const [scope, setScope] = useState<TokenScope>("read");
  const [expiresInDays, setExpiresInDays] = useState<number | null>(DEFAULT_EXPIRY_DAYS);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedApiToken | null>(null);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const parsed = createTokenSchema.safeParse({ name, scope, expires_in_days: expiresInDays ?? undefined });
    if (!parsed.success) {
      setError(`Name ${parsed.error.issues[0]?.message ?? "is invalid"}.`);
      return;
    }
    setError(null);
    create.mutate(parsed.data, {
      onSuccess: (token) => {
        setCreated(token);
        setName("");
      },
    });
  }

  return (
    <section aria-labelledby="create-token-heading" className="rounded-lg border border-zinc-200 bg-white p-4">
      <h2 id="create-token-heading" className="text-sm font-semibold text-zinc-900">
        Create a token
      </h2>
      <form onSubmit={onSubmit} className="mt-3 flex flex-col gap-3 sm:flex-row sm:items-end" noValidate>
        <div className="flex-1 space-y-1.5">
          <label htmlFor="token-name" className="block text-sm font-medium text-zinc-800">
            Name
          </label>
          <Input
            id="token-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="backup-cron"
            maxLength={64}
            autoComplete="off"
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? "token-name-error" : undefined}
          />
        </div>
        <fieldset className="space-y-1.5">
          <legend className="mb-1.5 text-sm font-medium text-zinc-800">Scope</legend>
          <div className="flex h-9 items-center gap-4">
            {TOKEN_SCOPES.map((value) => (
              <label key={value} className="flex items-center gap-1.5 text-sm text-zinc-800">
                <input
                  type="radio"
                  name="token-scope"
                  value={value}
                  checked={scope === value}
                  onChange={() => setScope(value)}
                  className="size-4 accent-zinc-900"
                />
                {value === "read" ? "Read" : "Read & write"}
              </label>
            ))}
          </div>
        </fieldset>
        <div className="space-y-1.5">
          <label htmlFor="token-expiry" className="block text-sm font-medium text-zinc-800">
            Expires after
          </label>
          <select
            id="token-expiry"
            value={expiresInDays ?? "never"}
            onChange={(e) => setExpiresInDays(e.target.value === "never" ? null : Number(e.target.value))}
            className="block h-9 w-full rounded-md border border-zinc-300 bg-white px-2 text-sm text-zinc-900 focus:border-blue-600 focus:ring-1 focus:ring-blue-600 focus:outline-none sm:w-auto"
          >
            {EXPIRY_CHOICES.map((choice) => (
              <option key={choice.label} value={choice.days ?? "never"}>
                {choice.label}
              </option>
            ))}
          </select>
        </div>
        <Button type="submit" variant="primary" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create token"}
        </Button>
      </form>
      {error ? (
        <p id="token-name-error" className="mt-2 text-xs text-red-700">
          {error}
        </p>
      ) : null}
      <NewTokenDialog token={created} onClose={() => setCreated(null)} />
    </section>
  );
}

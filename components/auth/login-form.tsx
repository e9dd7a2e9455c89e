"use client";
// Credentials sign-in through next-auth without its redirect, so failures stay on this
// page with a message that says what happened.
import { signIn } from "next-auth/react";
import { useRef, useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Field, Input } from "@/components/ui/input";
import { safeCallbackPath } from "@/lib/schemas/callback-url";

const MESSAGES: Record<string, string> = {
  CredentialsSignin: "Wrong email or password.",
  TooManyAttempts: "Too many failed sign-in attempts. Wait a minute, then try again.",
};

export function LoginForm({ callbackUrl, expired }: { callbackUrl: string; expired: boolean }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const password = useRef<HTMLInputElement>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    try {
      const result = await signIn("credentials", {
        redirect: false,
        email: String(form.get("email") ?? ""),
        password: String(form.get("password") ?? ""),
        callbackUrl,
      });
      if (result?.ok && !result.error) {
        // A full navigation, so the server-rendered layout sees the new session cookie.
        window.location.assign(safeCallbackPath(callbackUrl));
        return;
      }
      setError(MESSAGES[result?.error ?? ""] ?? "Sign-in failed. Try again.");
    } catch {
      setError("Could not reach Snapdeck. Check your connection and try again.");
    }
    setPending(false);
    // The submit button was disabled while pending, which drops focus to <body>; put the
    // operator back where the retry starts, with the wrong password selected.
    password.current?.focus();
    password.current?.select();
  }

  return (
    <form onSubmit={onSubmit} className="mt-5 space-y-4" noValidate={false}>
      {expired && !error ? (
        <p role="status" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          Your session has ended. Sign in again.
        </p>
      ) : null}
      {error ? (
        <p
          role="alert"
          data-testid="login-error"
          className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800"
        >
          {error}
        </p>
      ) : null}
      <Field id="email" label="Email">
        <Input id="email" name="email" type="email" autoComplete="username" required autoFocus />
      </Field>
      <Field id="password" label="Password">
        <Input ref={password} id="password" name="password" type="password" autoComplete="current-password" required />
      </Field>
      <Button type="submit" variant="primary" className="w-full" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </Button>
    </form>
  );
}

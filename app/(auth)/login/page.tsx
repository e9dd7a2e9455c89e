import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getSessionUser } from "@/lib/server/session";
import { safeCallbackPath } from "@/lib/schemas/callback-url";
import { LoginForm } from "@/components/auth/login-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  // Only same-site paths: a crafted ?callbackUrl must not bounce the operator elsewhere.
  const callbackUrl = safeCallbackPath(params.callbackUrl);
  if (await getSessionUser()) redirect(callbackUrl);
  return (
    <main className="grid min-h-screen place-items-center px-4 py-10">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex items-center gap-2">
          <span aria-hidden className="grid size-8 place-items-center rounded bg-zinc-900 text-sm font-bold text-white">
            S
          </span>
          <span className="text-lg font-semibold text-zinc-900">Snapdeck</span>
        </div>
        <div className="rounded-lg border border-zinc-200 bg-white p-6 shadow-sm">
          <h1 className="text-base font-semibold text-zinc-900">Sign in to the console</h1>
          <p className="mt-1 text-sm text-zinc-600">Manage your servers&apos; snapshots.</p>
          <LoginForm callbackUrl={callbackUrl} expired={params.expired === "1"} />
        </div>
      </div>
    </main>
  );
}

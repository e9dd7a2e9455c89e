"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { signOut } from "next-auth/react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";

const NAV = [
  { href: "/servers", label: "Servers" },
  { href: "/activity", label: "Activity" },
  { href: "/settings/tokens", label: "API tokens" },
];
const ADMIN_NAV = [{ href: "/hosts", label: "Hosts" }];

export function AppHeader({ email, admin = false }: { email: string; admin?: boolean }) {
  const pathname = usePathname();
  const [signingOut, setSigningOut] = useState(false);
  return (
    <header className="border-b border-zinc-200 bg-white">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-2.5 sm:px-6">
        <Link href="/servers" className="flex items-center gap-2 text-sm font-semibold text-zinc-900">
          <span aria-hidden className="grid size-6 place-items-center rounded bg-zinc-900 text-[11px] font-bold text-white">
            S
          </span>
          Snapdeck
        </Link>
        <nav aria-label="Main" className="order-3 flex w-full gap-1 sm:order-none sm:w-auto">
          {[...NAV, ...(admin ? ADMIN_NAV : [])].map((item) => {
            const current = pathname === item.href || pathname.startsWith(`${item.href}/`);
            return (
              <Link
                key={item.href}
                href={item.href}
                aria-current={current ? "page" : undefined}
                className={cn(
                  "rounded-md px-2.5 py-1.5 text-sm",
                  current ? "bg-zinc-100 font-medium text-zinc-900" : "text-zinc-600 hover:bg-zinc-50 hover:text-zinc-900",
                )}
              >
                {item.label}
              </Link>
            );
          })}
        </nav>
        <div className="ml-auto flex items-center gap-3">
          <span className="max-w-[14rem] truncate text-xs text-zinc-600" title={email}>
            {email}
          </span>
          <Button
            size="sm"
            disabled={signingOut}
            onClick={() => {
              setSigningOut(true);
              // No next-auth redirect: it builds the URL from NEXTAUTH_URL, which may name
              // another host or port than the one the operator is using.
              // eslint-disable-next-line @next/next/no-location-assign-relative-destination -- a full load drops all client state of the old session
              void signOut({ redirect: false }).then(() => window.location.assign("/login"));
            }}
          >
            {signingOut ? "Signing out…" : "Sign out"}
          </Button>
        </div>
      </div>
    </header>
  );
}

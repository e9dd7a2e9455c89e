// `next` / `previous` links for page-number pagination, as absolute URLs on the public
// origin that keep every other query parameter, so a client can follow them as they are.
import "server-only";
import type { NextRequest } from "next/server";
import { publicOrigin } from "@/lib/api/origin";

export function pageLinks(req: NextRequest, page: number, pageSize: number, count: number) {
  return pageLinksFrom(new URL(req.nextUrl.pathname + req.nextUrl.search, publicOrigin(req)), page, pageSize, count);
}

/** The same links from the request's URL on the public origin (also the benchmark's baseline, lib/api/bench-baseline.ts). */
export function pageLinksFrom(url: URL, page: number, pageSize: number, count: number) {
  const link = (target: number) => {
    const next = new URL(url);
    next.searchParams.set("page", String(target));
    next.searchParams.set("page_size", String(pageSize));
    return next.toString();
  };
  const lastPage = Math.max(1, Math.ceil(count / pageSize));
  return {
    next: page < lastPage ? link(page + 1) : null,
    previous: page > 1 ? link(Math.min(page - 1, lastPage)) : null,
  };
}

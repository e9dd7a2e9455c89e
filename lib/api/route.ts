// The methods of one API path. Next.js answers a method a route file does not export
// with an empty 405; exporting every method from here instead gives each path the JSON
// error envelope with an `Allow` header, and a new route gets it by using `route()`:
//
//   export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({ GET: handle(...) });
//
// Each served method is a handle() with its declaration (lib/api/handle.ts): a route file
// exports nothing else (Next.js allows only methods and segment config), so the served
// handlers carry their declarations for lib/api/routes.ts to read.
import type { NextRequest } from "next/server";
import { emptyResponse, errorResponse } from "@/lib/api/errors";
import type { DeclaredHandler } from "@/lib/api/handle";

type RouteHandler = (req: NextRequest, context: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;
export const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type Method = (typeof METHODS)[number];

export function route(handlers: Partial<Record<Method, DeclaredHandler>>): Record<Method | "OPTIONS", RouteHandler> {
  // Next.js answers HEAD with the GET handler (minus the body), so HEAD is allowed with GET.
  const allow = [...METHODS.filter((m) => handlers[m]), ...(handlers.GET ? ["HEAD"] : []), "OPTIONS"].join(", ");
  const notAllowed: RouteHandler = async (req) =>
    errorResponse(
      405,
      { detail: `${req.method} is not allowed on ${req.nextUrl.pathname}; allowed: ${allow}.`, code: "method_not_allowed" },
      { Allow: allow },
    );
  const options: RouteHandler = async () => {
    const res = emptyResponse(204);
    res.headers.set("Allow", allow);
    return res;
  };
  return {
    GET: handlers.GET ?? notAllowed,
    POST: handlers.POST ?? notAllowed,
    PUT: handlers.PUT ?? notAllowed,
    PATCH: handlers.PATCH ?? notAllowed,
    DELETE: handlers.DELETE ?? notAllowed,
    OPTIONS: options,
  };
}

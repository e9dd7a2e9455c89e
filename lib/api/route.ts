// The methods of one API path. Next.js answers a method a route file does not export
// with an empty 405; exporting every method from here instead gives each path the JSON
// error envelope with an `Allow` header, and a new route gets it by using `route()`:
//
//   export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({ GET: handle(...) });
import type { NextRequest } from "next/server";
import { emptyResponse, errorResponse } from "@/lib/api/errors";

type RouteHandler = (req: NextRequest, context: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
type Method = (typeof METHODS)[number];

export function route(handlers: Partial<Record<Method, RouteHandler>>): Record<Method | "OPTIONS", RouteHandler> {
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

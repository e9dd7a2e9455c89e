// Every API route and its declared methods, read from the route files themselves through
// the generated manifest (scripts/route-manifest.ts): the OpenAPI document and the API
// tests use this, so a route is declared once, in its route.ts.
import type { DeclaredHandler, Operation } from "@/lib/api/handle";
import { METHODS, type Method } from "@/lib/api/route";
import { ROUTE_MODULES } from "@/lib/api/route-manifest.generated";

export type ApiOperation = Operation & { method: Method };
export type ApiRoute = {
  /** The route file's directory under app/api/v1: `snapshots/[snapshotId]`. */
  pattern: string;
  /** Its OpenAPI path: `/snapshots/{snapshotId}/`. */
  path: string;
  operations: ApiOperation[];
};

export function apiRoutes(): ApiRoute[] {
  // Read at call time, not at import: the OpenAPI route is itself one of these modules.
  return ROUTE_MODULES.map(({ pattern, module }) => ({
    pattern,
    path: `/${pattern.replace(/\[(\w+)\]/g, "{$1}")}/`,
    operations: METHODS.flatMap((method) => {
      const operation = (module[method] as Partial<DeclaredHandler>).operation;
      return operation ? [{ ...operation, method }] : [];
    }),
  }));
}

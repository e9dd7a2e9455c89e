// Public: the API's description, generated from the zod schemas (lib/api/openapi.ts).
import type { NextRequest } from "next/server";
import { jsonResponse } from "@/lib/api/errors";
import { buildOpenApiDocument } from "@/lib/api/openapi";

export function GET(req: NextRequest): Response {
  return jsonResponse(buildOpenApiDocument(`${req.nextUrl.origin}/api/v1`));
}

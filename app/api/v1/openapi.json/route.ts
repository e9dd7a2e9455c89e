// Public: the API's description, generated from the zod schemas (lib/api/openapi.ts).
import type { NextRequest } from "next/server";
import { jsonResponse } from "@/lib/api/errors";
import { buildOpenApiDocument } from "@/lib/api/openapi";
import { publicOrigin } from "@/lib/api/origin";
import { route } from "@/lib/api/route";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: async (req: NextRequest) => jsonResponse(buildOpenApiDocument(`${publicOrigin(req)}/api/v1`)),
});

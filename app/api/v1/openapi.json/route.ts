// Public: the API's description, generated from every route's declaration (lib/api/openapi.ts).
import { z } from "zod";
import { handle } from "@/lib/api/handle";
import { buildOpenApiDocument } from "@/lib/api/openapi";
import { publicOrigin } from "@/lib/api/origin";
import { route } from "@/lib/api/route";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: handle(
    {
      operationId: "getOpenApiDocument",
      summary: "This API's OpenAPI 3.1 document",
      auth: "public",
      response: { schema: z.record(z.string(), z.unknown()), description: "The OpenAPI document" },
      errors: [],
      documented: false,
    },
    async ({ req }) => buildOpenApiDocument(`${publicOrigin(req)}/api/v1`),
  ),
});

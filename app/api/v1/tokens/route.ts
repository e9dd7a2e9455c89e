import { handle } from "@/lib/api/handle";
import { route } from "@/lib/api/route";
import { serializeCreatedToken, serializeToken, singlePage } from "@/lib/api/serialize";
import { createdTokenSchema, tokenPageSchema } from "@/lib/schemas/api-responses";
import { createTokenSchema } from "@/lib/schemas/tokens";
import { createToken, listTokens } from "@/lib/server/tokens";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: handle(
    {
      operationId: "listTokens",
      summary: "List your active API tokens",
      auth: "read",
      response: { schema: tokenPageSchema, description: "Your tokens" },
      errors: [401],
    },
    async ({ actor }) => singlePage((await listTokens(actor)).map(serializeToken)),
  ),
  // Not idempotent on purpose: replaying would mean storing the secret, which exists only
  // in this one response. A retried creation makes a second token; revoke the spare.
  POST: handle(
    {
      operationId: "createToken",
      summary: "Create an API token (the secret is shown once)",
      auth: "write",
      body: createTokenSchema,
      response: { status: 201, schema: createdTokenSchema, description: "The token, with its secret" },
      errors: [400, 401, 403, 413, 415],
    },
    async ({ actor, body }) => serializeCreatedToken(await createToken(actor, body)),
  ),
});

import { handle } from "@/lib/api/handle";
import { route } from "@/lib/api/route";
import { serializeCreatedToken, serializeToken, singlePage } from "@/lib/api/serialize";
import { createTokenSchema } from "@/lib/schemas/tokens";
import { createToken, listTokens } from "@/lib/server/tokens";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: handle({ auth: "read" }, async ({ actor }) => singlePage((await listTokens(actor)).map(serializeToken))),
  // Not idempotent on purpose: replaying would mean storing the secret, which exists only
  // in this one response. A retried creation makes a second token; revoke the spare.
  POST: handle({ auth: "write", body: createTokenSchema, status: 201 }, async ({ actor, body }) =>
    serializeCreatedToken(await createToken(actor, body)),
  ),
});

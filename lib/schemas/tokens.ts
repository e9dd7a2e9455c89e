import { z } from "zod";
import { requestComponents } from "@/lib/schemas/openapi-components";

export const TOKEN_SCOPES = ["read", "write"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export const createTokenSchema = z
  .strictObject({
    name: z.string().trim().min(1, { error: "must not be empty" }).max(64, { error: "must be at most 64 characters" }),
    scope: z.enum(TOKEN_SCOPES).default("read"),
    expires_in_days: z
      .number({ error: "must be a whole number of days" })
      .int({ error: "must be a whole number of days" })
      .min(1, { error: "must be at least 1" })
      .max(3650, { error: "must be at most 3650 (10 years)" })
      .optional()
      .describe("The token stops working this many days after creation (1-3650). Omit for a token that never expires."),
  })
  .register(requestComponents, { id: "CreateToken" });
export type CreateTokenInput = z.input<typeof createTokenSchema>;

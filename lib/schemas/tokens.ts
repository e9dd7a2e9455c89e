import { z } from "zod";

export const TOKEN_SCOPES = ["read", "write"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export const createTokenSchema = z.strictObject({
  name: z.string().trim().min(1, { error: "must not be empty" }).max(64, { error: "must be at most 64 characters" }),
  scope: z.enum(TOKEN_SCOPES).default("read"),
});
export type CreateTokenInput = z.input<typeof createTokenSchema>;

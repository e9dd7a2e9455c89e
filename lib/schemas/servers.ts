import { z } from "zod";

export const SERVER_STATUSES = ["active", "stopped", "suspended", "restoring"] as const;
export type ServerStatus = (typeof SERVER_STATUSES)[number];

export const POWER_ACTIONS = ["stop", "start"] as const;
export type PowerAction = (typeof POWER_ACTIONS)[number];

export const serverNameSchema = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[A-Za-z0-9][A-Za-z0-9.-]*$/, {
    error: "may contain only letters, digits, '.' and '-', starting with a letter or digit",
  });

export const createServerSchema = z.strictObject({
  name: serverNameSchema,
  status: z.enum(["active", "stopped", "suspended"]).default("stopped"),
  disk_mb: z
    .number()
    .int()
    .min(1)
    .max(1024 * 1024)
    .default(1024),
  location: z.string().min(1).max(32).default("fsn1"),
});
export type CreateServerInput = z.input<typeof createServerSchema>;

import "server-only";
import { prisma } from "@/lib/server/db";
import { AppError } from "@/lib/server/errors";
import { isUniqueViolation } from "@/lib/server/db-errors";
import { hashPassword, verifyPassword } from "@/lib/server/passwords";
import { z } from "zod";

const emailSchema = z.email({ error: "is not a valid email address" });
const passwordSchema = z.string().min(8, { error: "must be at least 8 characters" }).max(256);

export async function createUser(input: { email: string; password: string; role?: "admin" | "member" }) {
  const email = emailSchema.safeParse(input.email.trim().toLowerCase());
  if (!email.success) throw new AppError("validation_error", `Email ${email.error.issues[0]?.message}.`);
  const password = passwordSchema.safeParse(input.password);
  if (!password.success) throw new AppError("validation_error", `Password ${password.error.issues[0]?.message}.`);
  const passwordHash = await hashPassword(password.data);
  const exists = () => new AppError("conflict", `A user with the email ${email.data} already exists.`);
  try {
    return await prisma.$transaction(async (tx) => {
      if (await tx.user.findUnique({ where: { email: email.data } })) throw exists();
      return tx.user.create({ data: { email: email.data, passwordHash, role: input.role ?? "member" } });
    });
  } catch (err) {
    // A concurrent create of the same email won between our read and our insert.
    if (isUniqueViolation(err)) throw exists();
    throw err;
  }
}

export function findUserByEmail(email: string) {
  return prisma.user.findUnique({ where: { email: email.trim().toLowerCase() } });
}

export function findUserById(id: number) {
  return prisma.user.findUnique({ where: { id } });
}

/** The user of a session JWT, or null when the account is gone or the JWT predates a sign-out. */
export async function findSessionUser(id: number, sessionVersion: number) {
  const user = await findUserById(id);
  return user && user.sessionVersion === sessionVersion ? user : null;
}

/** Ends every session of this user (see auth-options.ts: events.signOut). */
export async function endSessions(userId: number): Promise<void> {
  await prisma.$transaction([prisma.user.updateMany({ where: { id: userId }, data: { sessionVersion: { increment: 1 } } })]);
}

export async function getUserByEmail(email: string) {
  const user = await findUserByEmail(email);
  if (!user) throw new AppError("not_found", `No user with the email ${email}.`);
  return user;
}

/** Returns the user when the password matches; null otherwise (same answer for unknown emails). */
export async function verifyCredentials(email: string, password: string) {
  const user = await findUserByEmail(email);
  // Hash even for unknown users so response time does not reveal which emails exist.
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  return user && ok ? user : null;
}

const DUMMY_HASH = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

// next-auth: email + password against the users table, JWT sessions. The session
// carries the user's id and role; lib/api resolves it into an Actor.
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { ensureDb } from "@/lib/server/db";
import { verifyCredentials } from "@/lib/server/users";
import { clearLoginFailures, getLoginDelay, recordLoginFailure } from "@/lib/server/login-throttle";

function clientIp(headers: Record<string, string | string[] | undefined> | undefined): string | null {
  const forwarded = headers?.["x-forwarded-for"];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
  return first || null;
}

export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
  pages: { signIn: "/login" },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, req) {
        await ensureDb();
        const email = credentials?.email?.trim().toLowerCase() ?? "";
        const password = credentials?.password ?? "";
        if (!email || !password) return null;
        const ip = clientIp(req?.headers);
        if ((await getLoginDelay(email, ip)) > 0) throw new Error("TooManyAttempts");
        const user = await verifyCredentials(email, password);
        if (!user) {
          await recordLoginFailure(email, ip);
          return null;
        }
        await clearLoginFailures(email);
        return { id: String(user.id), email: user.email, role: user.role };
      },
    }),
  ],
  callbacks: {
    async jwt({ token, user }) {
      if (user) {
        token.uid = Number(user.id);
        token.role = (user as { role?: string }).role === "admin" ? "admin" : "member";
      }
      return token;
    },
    async session({ session, token }) {
      session.user = { ...session.user, id: token.uid as number, role: token.role as "admin" | "member" };
      return session;
    },
  },
};

// next-auth: email + password against the users table, JWT sessions. The session
// carries the user's id and role; lib/api resolves it into an Actor.
import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { ensureDb } from "@/lib/server/db";
import { endSessions, verifyCredentials } from "@/lib/server/users";
import { claimLoginAttempt, releaseLoginAttempt } from "@/lib/server/login-throttle";
import { clientIp } from "@/lib/server/forwarded";
import { config } from "@/lib/config";
import { safeRedirectUrl } from "@/lib/schemas/callback-url";

// Without NEXTAUTH_URL (npm start sets it from SNAPDECK_PUBLIC_URL) next-auth would build
// every URL on http://localhost:3000, whatever address the browser used. AUTH_TRUST_HOST
// makes it take the request's Host and proto, the origin lib/api/origin.ts uses too: safe
// because lib/server/forwarded.ts has already dropped X-Forwarded-* from untrusted peers.
if (!process.env.NEXTAUTH_URL) process.env.AUTH_TRUST_HOST ??= "1";

type RawHeaders = Record<string, string | string[] | undefined> | undefined;
const headerReader = (headers: RawHeaders) => ({
  get: (name: string) => {
    const value = headers?.[name];
    return (Array.isArray(value) ? value[0] : value) ?? null;
  },
});

export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
  // next-auth would decide from NEXTAUTH_URL alone; SNAPDECK_PUBLIC_URL=https://… also counts.
  ...(config.secureCookies && { useSecureCookies: true }),
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
        const ip = clientIp(headerReader(req?.headers as RawHeaders));
        // Counted before the password is checked, so parallel guesses cannot outrun the count.
        if ((await claimLoginAttempt(email, ip)) > 0) throw new Error("TooManyAttempts");
        const user = await verifyCredentials(email, password);
        if (!user) return null;
        await releaseLoginAttempt(email, ip);
        return { id: String(user.id), email: user.email, role: user.role, sessionVersion: user.sessionVersion };
      },
    }),
  ],
  callbacks: {
    // Only paths on this site (next-auth's default lets "/\t/evil.example" through as a path).
    redirect: ({ url, baseUrl }) => safeRedirectUrl(url, baseUrl),
    async jwt({ token, user }) {
      if (user) {
        token.uid = Number(user.id);
        token.role = (user as { role?: string }).role === "admin" ? "admin" : "member";
        token.sv = (user as { sessionVersion?: number }).sessionVersion ?? 0;
      }
      return token;
    },
    async session({ session, token }) {
      session.user = {
        ...session.user,
        id: token.uid as number,
        role: token.role as "admin" | "member",
        sessionVersion: typeof token.sv === "number" ? token.sv : -1,
      };
      return session;
    },
  },
  events: {
    // JWTs cannot be recalled, so sign-out moves the user's session version on: every JWT
    // carrying the old one (this browser's and any copy of it) stops being accepted.
    async signOut({ token }) {
      if (typeof token?.uid === "number") await endSessions(token.uid);
    },
  },
};

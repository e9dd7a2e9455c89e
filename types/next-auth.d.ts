import "next-auth";

declare module "next-auth" {
  interface Session {
    user: { id: number; email?: string | null; name?: string | null; role: "admin" | "member"; sessionVersion: number };
  }
}

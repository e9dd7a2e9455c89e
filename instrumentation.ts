// Runs once when a Next.js server process starts (before it serves requests).
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { checkForwardedHeaders } = await import("@/lib/server/forwarded");
  checkForwardedHeaders();
}

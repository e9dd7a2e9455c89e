// GET /api/live: the dashboard's live updates, server-sent events for the signed-in user
// (session cookie only: the dashboard's own channel, not part of the token API). Each
// message names a server that changed (`data: {"server": 7}`); the page refetches that
// server's queries (lib/client/live.ts). One watcher per instance feeds every stream
// (lib/server/live.ts). A comment every 20 s keeps proxies from closing an idle stream.
import type { NextRequest } from "next/server";
import { getSessionUser } from "@/lib/server/session";
import { subscribe } from "@/lib/server/live";

export const dynamic = "force-dynamic";

const KEEP_ALIVE_MS = 20_000;

export async function GET(req: NextRequest) {
  const user = await getSessionUser();
  if (!user)
    return Response.json(
      { detail: "Sign in to receive live updates.", code: "not_authenticated" },
      { status: 401, headers: { "Cache-Control": "no-store" } },
    );
  const encoder = new TextEncoder();
  let stop = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          stop(); // the client went away
        }
      };
      // retry: how long EventSource waits before it reconnects after a break.
      write("retry: 3000\n: live\n\n");
      const unsubscribe = subscribe(user.id, user.role === "admin", (change) => write(`data: ${JSON.stringify(change)}\n\n`));
      const keepAlive = setInterval(() => write(": keep-alive\n\n"), KEEP_ALIVE_MS);
      stop = () => {
        unsubscribe();
        clearInterval(keepAlive);
      };
      req.signal.addEventListener("abort", () => {
        stop();
        try {
          controller.close();
        } catch {
          // already closed
        }
      });
    },
    cancel() {
      stop();
    },
  });
  return new Response(stream, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store",
      "X-Accel-Buffering": "no", // nginx: pass each event on at once
    },
  });
}

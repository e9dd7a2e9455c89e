// Child process: the bare API baseline. A minimal node:http server answering
// GET /api/v1/snapshots/ and /api/v1/snapshots/{id}/ through lib/api/bench-baseline.ts
// (better-sqlite3 or pg, the same JSON as Snapdeck, from the same database), with no
// framework at all: no Next.js routing, proxy or response objects.
//
//   DATABASE_URL=file:…|postgresql://… PORT=… tsx --conditions=react-server bench/baseline-server.ts
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { answer, openStore, type Answer } from "@/lib/api/bench-baseline";

const store = openStore(process.env.DATABASE_URL ?? "");

function send(res: ServerResponse, { status, body, headers }: Answer) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Cache-Control": "no-store",
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

async function handle(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
  send(res, await answer(store, req.method ?? "GET", url, req.headers.authorization ?? null));
}

const server = createServer((req, res) => {
  handle(req, res).catch((err: Error) => send(res, { status: 500, body: { detail: err.message, code: "internal_error" } }));
});

server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 3999), "127.0.0.1");
for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => server.close(() => process.exit(0)));

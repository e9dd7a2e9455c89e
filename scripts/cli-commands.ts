// The operator CLI's commands (docs/SPEC.md §4), apart from the process that runs them
// (scripts/cli.ts), so tests can run the argument checks without a process each.
import { parseArgs } from "node:util";
import { migrateDatabase } from "@/lib/server/setup";

export const USAGE = `usage:
  npm run cli -- user create --email E --password P [--admin]
  npm run cli -- token create --email E --name N [--scope read|write] [--expires-in-days N]
  npm run cli -- host create --name NAME [--hypervisor simulated|libvirt] [--libvirt-uri qemu:///system]
  npm run cli -- host domains --host NAME
  npm run cli -- server import --host NAME --domain DOMAIN --owner E [--name NAME]
  npm run cli -- server create --owner E --name NAME [--status active|stopped|suspended] [--disk-mb N] [--host NAME] [--wait]
  npm run cli -- db copy --from file:OLD.db --to postgresql://USER@HOST/NEW_DB
  npm run cli -- store copy --to s3://BUCKET/PREFIX [--from file:///OLD/STORE]`;

export class UsageError extends Error {}

type Options = Record<string, string | boolean | undefined>;
type Command = {
  options: Record<string, { type: "string" | "boolean" }>;
  required: string[];
  run: (o: Options) => Promise<string[]>;
  /** Works on the databases named in its options, not on DATABASE_URL's. */
  ownDatabases?: true;
};

function str(o: Options, key: string): string {
  return String(o[key]);
}

const COMMANDS: Record<string, Command> = {
  "user create": {
    options: { email: { type: "string" }, password: { type: "string" }, admin: { type: "boolean" } },
    required: ["email", "password"],
    async run(o) {
      const { createUser } = await import("@/lib/server/users");
      const user = await createUser({ email: str(o, "email"), password: str(o, "password"), role: o.admin ? "admin" : "member" });
      return [`created ${user.role} ${user.email}`, String(user.id)];
    },
  },
  "token create": {
    options: {
      email: { type: "string" },
      name: { type: "string" },
      scope: { type: "string" },
      "expires-in-days": { type: "string" },
    },
    required: ["email", "name"],
    async run(o) {
      const scope = (o.scope as string | undefined) ?? "read";
      if (scope !== "read" && scope !== "write") throw new UsageError(`--scope must be read or write, not "${scope}"`);
      const days = o["expires-in-days"] === undefined ? undefined : Number(o["expires-in-days"]);
      if (days !== undefined && !(Number.isInteger(days) && days >= 1 && days <= 3650))
        throw new UsageError(`--expires-in-days must be a whole number from 1 to 3650, not "${o["expires-in-days"]}"`);
      const { getUserByEmail } = await import("@/lib/server/users");
      const { createToken } = await import("@/lib/server/tokens");
      const user = await getUserByEmail(str(o, "email"));
      const created = await createToken(
        { userId: user.id, tokenId: null, ip: null },
        { name: str(o, "name"), scope, expires_in_days: days },
      );
      const expiry = created.expiresAt ? `, expires ${created.expiresAt.toISOString()}` : "";
      return [`created ${scope} token "${created.name}" for ${user.email}${expiry}; it is shown only once:`, created.token];
    },
  },
  "host create": {
    options: { name: { type: "string" }, hypervisor: { type: "string" }, "libvirt-uri": { type: "string" } },
    required: ["name"],
    async run(o) {
      const { createHost } = await import("@/lib/server/hosts");
      const host = await createHost(str(o, "name"), {
        hypervisor: o.hypervisor as string | undefined,
        libvirtUri: o["libvirt-uri"] as string | undefined,
      });
      const kind = host.hypervisor === "libvirt" ? ` (libvirt, ${host.libvirtUri ?? "qemu:///system"})` : "";
      return [`created host ${host.name}${kind}; run its agent there with: npm run agent -- --host ${host.name}`, host.name];
    },
  },
  "host domains": {
    options: { host: { type: "string" } },
    required: ["host"],
    async run(o) {
      const { listDomains } = await import("@/lib/server/guests");
      const domains = await listDomains(str(o, "host"));
      if (domains.length === 0) return ["no domains"];
      const width = Math.max(6, ...domains.map((d) => d.domain.length));
      return [
        `${"DOMAIN".padEnd(width)}  ${"STATE".padEnd(8)}  SERVER`,
        ...domains.map((d) => `${d.domain.padEnd(width)}  ${d.state.padEnd(8)}  ${d.serverId ?? "-"}`),
      ];
    },
  },
  "server import": {
    options: { host: { type: "string" }, domain: { type: "string" }, owner: { type: "string" }, name: { type: "string" } },
    required: ["host", "domain", "owner"],
    async run(o) {
      const { getUserByEmail } = await import("@/lib/server/users");
      const { importServer } = await import("@/lib/server/guests");
      const owner = await getUserByEmail(str(o, "owner"));
      const server = await importServer({
        host: str(o, "host"),
        domain: str(o, "domain"),
        ownerId: owner.id,
        name: o.name as string | undefined,
      });
      return [
        `imported domain ${str(o, "domain")} as server ${server.name} (${server.diskMb} MB disk, ${server.status}) for ${owner.email}`,
        String(server.id),
      ];
    },
  },
  "server create": {
    options: {
      owner: { type: "string" },
      name: { type: "string" },
      status: { type: "string" },
      "disk-mb": { type: "string" },
      host: { type: "string" },
      wait: { type: "boolean" },
    },
    required: ["owner", "name"],
    async run(o) {
      const status = (o.status as string | undefined) ?? "stopped";
      if (status !== "active" && status !== "stopped" && status !== "suspended")
        throw new UsageError(`--status must be active, stopped or suspended, not "${status}"`);
      const diskMb = o["disk-mb"] === undefined ? 1024 : Number(o["disk-mb"]);
      if (!Number.isInteger(diskMb) || diskMb < 1)
        throw new UsageError(`--disk-mb must be a positive integer, not "${o["disk-mb"]}"`);
      const { getUserByEmail } = await import("@/lib/server/users");
      const { createServer } = await import("@/lib/server/servers");
      const owner = await getUserByEmail(str(o, "owner"));
      const server = await createServer(owner.id, {
        name: str(o, "name"),
        status,
        disk_mb: diskMb,
        host: o.host as string | undefined,
      });
      // --wait: return once the host's agent made the disk (for scripts that use the server next).
      if (o.wait) await waitForProvision(server.operationId, server.host.name);
      return [
        `created server ${server.name} (${diskMb} MB disk, ${server.status}) on host ${server.host.name} for ${owner.email}; its agent makes the disk`,
        String(server.id),
      ];
    },
  },
  "store copy": {
    options: { from: { type: "string" }, to: { type: "string" } },
    required: ["to"],
    ownDatabases: true, // none: the references in the database name chunks alike in every store
    async run(o) {
      const { getStoreUrl } = await import("@/lib/config");
      const { openBlobStore, parseStoreUrl } = await import("@/lib/disks/stores");
      const { copyStore } = await import("@/lib/disks/store-copy");
      const fromUrl = (o.from as string | undefined) ?? getStoreUrl();
      const from = openBlobStore(parseStoreUrl(fromUrl));
      const to = openBlobStore(parseStoreUrl(str(o, "to")));
      if (from.location === to.location) throw new UsageError("--to names the store being copied");
      const r = await copyStore(from, to, (line) => console.error(line));
      const mb = (r.bytes / 1e6).toFixed(1);
      return [
        `copied ${r.chunks.copied} chunks (${mb} MB, each checked by SHA-256 before and after) and ${r.manifests.copied} manifests from ${from.location} to ${to.location}`,
        `already there: ${r.chunks.present} chunks, ${r.manifests.present} manifests`,
        `to use it: SNAPDECK_STORE_URL=${to.location} for every agent (run the copy again after stopping them: it copies only what is missing)`,
      ];
    },
  },
  "db copy": {
    options: { from: { type: "string" }, to: { type: "string" } },
    required: ["from", "to"],
    ownDatabases: true,
    async run(o) {
      const { copyDatabase } = await import("@/lib/server/db-copy");
      const copied = await copyDatabase(str(o, "from"), str(o, "to"));
      const total = Object.values(copied).reduce((a, b) => a + b, 0);
      return [...Object.entries(copied).map(([table, n]) => `${table}: ${n}`), `copied ${total} rows`];
    },
  },
};

async function waitForProvision(operationId: string, host: string): Promise<void> {
  const { getOperationStatus } = await import("@/lib/server/servers");
  let warned = false;
  for (const started = Date.now(); ; await new Promise((r) => setTimeout(r, 200))) {
    const op = await getOperationStatus(operationId);
    if (op.status === "completed") return;
    if (op.status === "failed")
      throw new Error(`the agent of host ${host} could not make the disk: ${op.error ?? "unknown error"}`);
    if (!warned && op.status === "queued" && Date.now() - started > 10_000) {
      console.error(`waiting for an agent of host ${host} (npm run agent -- --host ${host})…`);
      warned = true;
    }
  }
}

/** Runs one command; resolves to the lines it prints on stdout, or throws (see `failure`). */
export async function runCli(argv: string[]): Promise<string[]> {
  const key = argv.slice(0, 2).join(" ");
  const command = COMMANDS[key];
  if (!command) throw new UsageError(argv.length ? `unknown command "${key}"` : "no command given");
  let values: Options;
  try {
    ({ values } = parseArgs({ args: argv.slice(2), options: command.options, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const missing = command.required.filter((name) => typeof values[name] !== "string" || values[name] === "");
  if (missing.length) throw new UsageError(`missing ${missing.map((m) => `--${m}`).join(", ")}`);

  if (!command.ownDatabases) {
    await migrateDatabase();
    const { ensureDb } = await import("@/lib/server/db");
    await ensureDb();
  }
  return command.run(values);
}

/** What the CLI prints on stderr for an error, and its exit code (2: usage, 1: refused or failed). */
export async function failure(err: unknown): Promise<{ code: 1 | 2; message: string }> {
  const { AppError } = await import("@/lib/server/errors");
  const { ZodError } = await import("zod");
  if (err instanceof UsageError) return { code: 2, message: `error: ${err.message}\n\n${USAGE}` };
  if (err instanceof AppError) return { code: 1, message: `error: ${err.message}` };
  if (err instanceof ZodError)
    return { code: 1, message: `error: ${err.issues.map((i) => `${i.path.join(".") || "input"} ${i.message}`).join("; ")}` };
  return { code: 1, message: `error: ${err instanceof Error ? err.message : String(err)}` };
}

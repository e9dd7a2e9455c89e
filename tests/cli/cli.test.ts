// The operator CLI, run as a real process against this file's database.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { SERVER_CONDITIONS } from "../../bench/util";
import { prisma } from "@/lib/server/db";
import { runOperation } from "@/lib/jobs/runner";
import { authenticateToken } from "@/lib/server/tokens";
import { failure, runCli } from "../../scripts/cli-commands";

/** The CLI as a real process, as `npm run cli` runs it, without npm's and tsx's wrapper processes. */
function cliProcess(env: Record<string, string>, ...args: string[]) {
  const result = spawnSync(process.execPath, [SERVER_CONDITIONS, "--import", "tsx", "scripts/cli.ts", ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  const lines = result.stdout.trim().split("\n");
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, last: lines[lines.length - 1] };
}

/**
 * The same commands in this process: what they print and their exit code, as the process
 * would give them (scripts/cli.ts prints `runCli`'s lines, or `failure`'s message and code).
 * A process costs a second of CPU; the checks of arguments and results need none.
 */
async function cli(...args: string[]) {
  try {
    const lines = await runCli(args);
    return { code: 0, stdout: `${lines.join("\n")}\n`, stderr: "", last: lines[lines.length - 1] };
  } catch (err) {
    const { code, message } = await failure(err);
    return { code, stdout: "", stderr: message, last: "" };
  }
}

async function counts() {
  return { users: await prisma.user.count(), tokens: await prisma.apiToken.count(), servers: await prisma.server.count() };
}

describe("npm run cli -- user create", () => {
  it("creates a member, or an admin with --admin, and prints the id last", async () => {
    const member = cliProcess({}, "user", "create", "--email", "Ops@Example.com", "--password", "correct-horse");
    expect(member.code).toBe(0);
    const row = await prisma.user.findUniqueOrThrow({ where: { email: "ops@example.com" } });
    expect(member.last).toBe(String(row.id));
    expect(row.role).toBe("member");
    expect(row.passwordHash).not.toContain("correct-horse");

    const admin = await cli("user", "create", "--email", "root@example.com", "--password", "correct-horse", "--admin");
    expect(admin.code).toBe(0);
    expect((await prisma.user.findUniqueOrThrow({ where: { email: "root@example.com" } })).role).toBe("admin");
  });

  it("refuses duplicates, bad emails, short passwords and missing options without creating anything", async () => {
    await cli("user", "create", "--email", "dup@example.com", "--password", "correct-horse");
    const before = await counts();
    const cases = [
      { args: ["--email", "dup@example.com", "--password", "correct-horse"], code: 1, message: /already exists/ },
      { args: ["--email", "not-an-email", "--password", "correct-horse"], code: 1, message: /not a valid email/ },
      { args: ["--email", "short@example.com", "--password", "short"], code: 1, message: /at least 8/ },
      { args: ["--email", "x@example.com"], code: 2, message: /missing --password/ },
      {
        args: ["--email", "x@example.com", "--password", "correct-horse", "--role", "admin"],
        code: 2,
        message: /Unknown option/,
      },
    ];
    for (const c of cases) {
      const result = await cli("user", "create", ...c.args);
      expect(result.code, c.args.join(" ")).toBe(c.code);
      expect(result.stderr).toMatch(c.message);
    }
    expect(await counts()).toEqual(before);
  });
});

describe("npm run cli -- token create", () => {
  it("prints a working token as the last line, with the requested scope", async () => {
    await cli("user", "create", "--email", "tok@example.com", "--password", "correct-horse");
    const read = await cli("token", "create", "--email", "tok@example.com", "--name", "ci");
    expect(read.code).toBe(0);
    expect(read.last).toMatch(/^sdk_[A-Za-z0-9_-]{40,}$/);
    expect((await authenticateToken(read.last, null))?.scope).toBe("read");

    const write = await cli("token", "create", "--email", "tok@example.com", "--name", "deploy", "--scope", "write");
    expect((await authenticateToken(write.last, null))?.scope).toBe("write");
    // Only the hash is stored.
    expect(await prisma.apiToken.count({ where: { tokenHash: write.last } })).toBe(0);
  });

  it("refuses unknown users and scopes without creating a token", async () => {
    const before = await counts();
    const unknown = await cli("token", "create", "--email", "nobody@example.com", "--name", "x");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No user with the email nobody@example.com/);
    const scope = await cli("token", "create", "--email", "tok@example.com", "--name", "x", "--scope", "admin");
    expect(scope.code).toBe(2);
    expect(scope.stderr).toMatch(/--scope must be read or write/);
    expect(await counts()).toEqual(before);
  });
});

describe("stdout holds the result alone", () => {
  // With logging on (as in production), the audit log lines must not reach stdout.
  const LOUD = { LOG_LEVEL: "debug" };

  it("token create: two lines, the token last; the logs are on stderr", async () => {
    await cli("user", "create", "--email", "pipe@example.com", "--password", "correct-horse");
    const result = cliProcess(LOUD, "token", "create", "--email", "pipe@example.com", "--name", "pipe", "--scope", "write");
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines).toHaveLength(3); // two lines and the final newline
    expect(lines[0]).toMatch(/^created write token "pipe" for pipe@example.com; it is shown only once:$/);
    expect(lines[1]).toMatch(/^sdk_[A-Za-z0-9_-]{40,}$/);
    expect(lines[2]).toBe("");
    expect(result.stderr).toMatch(/"token.create"/);
  });

  it("server create: two lines, the id last", async () => {
    const result = cliProcess(LOUD, "server", "create", "--owner", "pipe@example.com", "--name", "pipe-01", "--disk-mb", "8");
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^created server pipe-01 /);
    expect(lines[1]).toMatch(/^\d+$/);
    expect(await prisma.server.findUniqueOrThrow({ where: { id: Number(lines[1]) } })).toMatchObject({ name: "pipe-01" });
  });
});

describe("npm run cli -- token create --expires-in-days", () => {
  it("sets the expiry, and refuses values outside 1-3650", async () => {
    await cli("user", "create", "--email", "exp@example.com", "--password", "correct-horse");
    const result = await cli("token", "create", "--email", "exp@example.com", "--name", "short", "--expires-in-days", "7");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/expires \d{4}-/);
    const row = await prisma.apiToken.findFirstOrThrow({ where: { name: "short", user: { email: "exp@example.com" } } });
    const days = (row.expiresAt!.getTime() - row.createdAt.getTime()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThan(7.01);
    const before = await counts();
    for (const bad of ["0", "3651", "1.5", "soon"]) {
      const refused = await cli("token", "create", "--email", "exp@example.com", "--name", "x", "--expires-in-days", bad);
      expect(refused.code, bad).toBe(2);
      expect(refused.stderr).toMatch(/--expires-in-days must be a whole number from 1 to 3650/);
    }
    expect(await counts()).toEqual(before);
  });
});

describe("npm run cli -- server create", () => {
  beforeAll(async () => {
    await cli("user", "create", "--email", "srv@example.com", "--password", "correct-horse");
  });

  it("records a server on the host local, queues its provision, and prints its id last; the agent makes the sparse disk", async () => {
    const result = await cli(
      "server",
      "create",
      "--owner",
      "srv@example.com",
      "--name",
      "web-01",
      "--status",
      "active",
      "--disk-mb",
      "64",
    );
    expect(result.code).toBe(0);
    const server = await prisma.server.findUniqueOrThrow({ where: { id: Number(result.last) }, include: { host: true } });
    expect(server).toMatchObject({ name: "web-01", status: "active", diskMb: 64, host: { name: "local" } });
    const disk = path.join(process.env.DATA_DIR!, "disks", `${server.id}.img`);
    expect(existsSync(disk)).toBe(false); // the control plane never touches disks
    const provision = await prisma.operation.findUniqueOrThrow({ where: { id: server.activeOperationId! } });
    expect(provision).toMatchObject({ kind: "provision", status: "queued", serverId: server.id });
    expect(await runOperation(provision.id)).toBe(true); // as the local agent runs it
    expect(existsSync(disk)).toBe(true);
    expect(statSync(disk).size).toBe(64 * 1024 * 1024);
    expect(statSync(disk).blocks * 512).toBeLessThan(1024 * 1024); // sparse

    const defaults = await cli("server", "create", "--owner", "srv@example.com", "--name", "db-01");
    expect(await prisma.server.findUniqueOrThrow({ where: { id: Number(defaults.last) } })).toMatchObject({
      status: "stopped",
      diskMb: 1024,
    });
  });

  it("host create prints the name last; server create --host puts the server there; unknown, duplicate or bad hosts are refused", async () => {
    const host = await cli("host", "create", "--name", "hv-01");
    expect(host.code).toBe(0);
    expect(host.last).toBe("hv-01");
    const duplicate = await cli("host", "create", "--name", "hv-01");
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/host named hv-01 already exists/);
    expect((await cli("host", "create", "--name", "HV 01")).code).toBe(1);

    const placed = await cli("server", "create", "--owner", "srv@example.com", "--name", "on-hv-01", "--host", "hv-01");
    expect(placed.code).toBe(0);
    expect(await prisma.server.findUniqueOrThrow({ where: { id: Number(placed.last) }, include: { host: true } })).toMatchObject({
      host: { name: "hv-01" },
    });

    const before = await counts();
    const unknown = await cli("server", "create", "--owner", "srv@example.com", "--name", "lost", "--host", "hv-09");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/Host hv-09 does not exist; create it first/);
    expect(await counts()).toEqual(before);
  });

  it("refuses unknown owners, bad names, states and sizes without creating anything", async () => {
    const before = await counts();
    const cases = [
      { args: ["--owner", "nobody@example.com", "--name", "x"], code: 1, message: /No user with the email/ },
      { args: ["--owner", "srv@example.com", "--name", "bad name!"], code: 1, message: /name/ },
      {
        args: ["--owner", "srv@example.com", "--name", "x", "--status", "restoring"],
        code: 2,
        message: /--status must be active, stopped or suspended/,
      },
      {
        args: ["--owner", "srv@example.com", "--name", "x", "--disk-mb", "lots"],
        code: 2,
        message: /--disk-mb must be a positive integer/,
      },
      { args: ["--owner", "srv@example.com", "--name", "x", "--disk-mb", "-5"], code: 2, message: /argument is ambiguous/ },
      { args: ["--owner", "srv@example.com"], code: 2, message: /missing --name/ },
    ];
    for (const c of cases) {
      const result = await cli("server", "create", ...c.args);
      expect(result.code, c.args.join(" ")).toBe(c.code);
      expect(result.stderr).toMatch(c.message);
    }
    expect(await counts()).toEqual(before);
  });

  it("prints usage for unknown commands", () => {
    const result = cliProcess({}, "snapshot", "explode");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown command "snapshot explode"/);
    expect(result.stderr).toMatch(/usage:/);
  });
});

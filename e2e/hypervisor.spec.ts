// A libvirt guest in the dashboard (SPEC §7): the hypervisor's view beside the status, each
// snapshot's consistency as a badge, the consistency the create dialog promises, and a stop
// that had to force the guest off as a warning. No hypervisor runs here: the rows a libvirt
// host's agent would write (its host, its guests, their snapshots and last operations) are
// seeded through the project's own Prisma client and createHost, against the suite's
// DATA_DIR, as e2e/fixtures.ts runs the operator CLI. No agent serves that host, so nothing
// changes them while the specs look.
import { execFileSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import { DEMO, expectBothThemesClean, signIn, uniqueName } from "./fixtures";

type Guest = {
  name: string;
  status: "active" | "stopped";
  hypervisorState: "running" | "shut_off";
  guestAgent: "responding" | "absent";
  snapshots?: { name: string; consistency: "application" | "crash-consistent" | "offline" }[];
  /** A completed server_stop whose guest did not shut down in time (shutdown_timeout). */
  forcedOff?: boolean;
};

const FORCED_OFF =
  "The guest did not shut down within 60 s of the ACPI request, so it was forced off (as if its power were cut).";

// Plain JavaScript for `node --import tsx --eval`: tsx resolves the `@/` imports as the app
// does, and hands the (CommonJS-compiled) modules over as their default export.
const SEED = `
const load = async (path) => { const m = await import(path); return m.default ?? m; };
const { prisma, ensureDb } = await load("@/lib/server/db");
const { createHost } = await load("@/lib/server/hosts");
const { randomUUID } = await import("node:crypto");
const { owner, host: hostName, guests, forcedOff } = JSON.parse(process.env.SEED_INPUT);
await ensureDb();
const host = await createHost(hostName, { hypervisor: "libvirt" });
const user = await prisma.user.findUniqueOrThrow({ where: { email: owner } });
const ids = [];
for (const g of guests) {
  ids.push(
    await prisma.$transaction(async (tx) => {
      const server = await tx.server.create({
        data: {
          name: g.name, hostname: g.name + ".fsn1.snapdeck.internal", status: g.status, location: "fsn1", diskMb: 2048,
          ownerId: user.id, hostId: host.id, domain: g.name, hypervisorState: g.hypervisorState, guestAgent: g.guestAgent,
        },
      });
      let at = Date.now() - 3_600_000;
      for (const s of g.snapshots ?? []) {
        at += 60_000;
        await tx.snapshot.create({
          data: {
            serverId: server.id, ownerId: user.id, name: s.name, status: "completed", progress: 100, sizeMb: 2048,
            storedBytes: BigInt(512 * 1024 * 1024), consistency: s.consistency,
            createdAt: new Date(at), completedAt: new Date(at + 20_000),
          },
        });
      }
      if (g.forcedOff) {
        const id = randomUUID();
        await tx.operation.create({
          data: {
            id, kind: "server_stop", status: "completed", serverId: server.id, userId: user.id, progress: 100,
            error: forcedOff, errorCode: "shutdown_timeout", startedAt: new Date(Date.now() - 70_000), finishedAt: new Date(),
          },
        });
        await tx.server.update({ where: { id: server.id }, data: { lastOperationId: id } });
      }
      return server.id;
    }),
  );
}
console.log(JSON.stringify(ids));
await prisma.$disconnect();
`;

/** Seeds a libvirt host and its guests (owned by the demo user); their server ids, in order. */
function seedGuests(host: string, guests: Guest[]): number[] {
  const dataDir = process.env.E2E_DATA_DIR;
  if (!dataDir) throw new Error("E2E_DATA_DIR is not set; run the specs through playwright.config.ts");
  const out = execFileSync(
    process.execPath,
    ["--conditions=react-server", "--import", "tsx", "--input-type=module", "--eval", SEED],
    {
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        LOG_LEVEL: "warn",
        SEED_INPUT: JSON.stringify({ owner: DEMO.email, host, guests, forcedOff: FORCED_OFF }),
      },
      encoding: "utf8",
    },
  );
  return JSON.parse(out.trim().split("\n").pop()!) as number[];
}

let withAgent: number, withoutAgent: number, forcedOff: number;
const names = { withAgent: uniqueName("vm-app"), withoutAgent: uniqueName("vm-crash"), forcedOff: uniqueName("vm-off") };

test.beforeAll(() => {
  [withAgent, withoutAgent, forcedOff] = seedGuests(uniqueName("hv-libvirt"), [
    {
      name: names.withAgent,
      status: "active",
      hypervisorState: "running",
      guestAgent: "responding",
      snapshots: [
        { name: "before-stop", consistency: "offline" },
        { name: "no-agent-yet", consistency: "crash-consistent" },
        { name: "frozen", consistency: "application" },
      ],
    },
    { name: names.withoutAgent, status: "active", hypervisorState: "running", guestAgent: "absent" },
    { name: names.forcedOff, status: "stopped", hypervisorState: "shut_off", guestAgent: "absent", forcedOff: true },
  ]);
});

test("a running guest with its agent: the hypervisor's view, consistency badges, an application-consistent snapshot ahead", async ({
  page,
}) => {
  await signIn(page);
  await page.goto(`/servers/${withAgent}`);
  await expect(page.getByTestId("server-status").first()).toHaveText("Active");
  await expect(page.getByTestId("hypervisor-state")).toHaveText("VM: running");
  await expect(page.getByTestId("guest-agent")).toHaveText("Guest agent: responding");

  const badge = (snapshot: string) =>
    page.getByRole("row", { name: new RegExp(snapshot) }).getByTestId("snapshot-status-consistency");
  await expect(badge("frozen")).toHaveText("Application-consistent");
  await expect(badge("no-agent-yet")).toHaveText("Crash-consistent");
  await expect(badge("before-stop")).toHaveText("Offline");
  await expect(page.getByTestId("last-operation-warning")).toHaveCount(0);
  await expectBothThemesClean(page, "a libvirt guest's server page");

  await page.getByRole("button", { name: "Create snapshot" }).click();
  const dialog = page.getByRole("dialog", { name: `Create a snapshot of ${names.withAgent}` });
  await expect(dialog.getByTestId("expected-consistency")).toHaveText("Application-consistent");
  await expect(dialog.getByText(/freezes the server's filesystems as the copy begins, for well under a second/)).toBeVisible();
  await expect(dialog.getByText(/filesystem-inconsistent/)).toHaveCount(0);
  await expect(dialog.getByLabel(/Stop the server first/)).toHaveCount(0);
  await expectBothThemesClean(page, "the create dialog of a guest with its agent");
});

test("without an agent the dialog warns of a crash-consistent snapshot; a forced-off stop is a warning, its snapshot offline", async ({
  page,
}) => {
  await signIn(page);
  await page.goto(`/servers/${withoutAgent}`);
  await expect(page.getByTestId("hypervisor-state")).toHaveText("VM: running");
  await expect(page.getByTestId("guest-agent")).toHaveText("Guest agent: not responding");
  await page.getByRole("button", { name: "Create snapshot" }).click();
  let dialog = page.getByRole("dialog", { name: `Create a snapshot of ${names.withoutAgent}` });
  await expect(dialog.getByTestId("expected-consistency")).toHaveText("Crash-consistent");
  await expect(dialog.getByText(/may be filesystem-inconsistent/)).toBeVisible();
  await dialog.getByLabel(/Stop the server first/).check();
  await expect(dialog.getByTestId("expected-consistency")).toHaveText("Offline");
  await expect(dialog.getByRole("button", { name: "Stop server and create snapshot" })).toBeVisible();
  await page.keyboard.press("Escape");

  await page.goto(`/servers/${forcedOff}`);
  await expect(page.getByTestId("server-status").first()).toHaveText("Stopped");
  await expect(page.getByTestId("hypervisor-state")).toHaveText("VM: shut off");
  await expect(page.getByTestId("guest-agent")).toHaveCount(0); // says nothing of a stopped VM
  const warning = page.getByTestId("last-operation-warning");
  await expect(warning).toContainText("The server was forced off");
  await expect(warning).toContainText(FORCED_OFF);
  await expect(page.getByRole("alert").filter({ hasText: "failed" })).toHaveCount(0); // a warning, not a failure
  await expectBothThemesClean(page, "a forced-off warning");
  await page.getByRole("button", { name: "Create snapshot" }).click();
  dialog = page.getByRole("dialog", { name: `Create a snapshot of ${names.forcedOff}` });
  await expect(dialog.getByTestId("expected-consistency")).toHaveText("Offline");
  await page.keyboard.press("Escape");
  await warning.getByRole("button", { name: "Dismiss" }).click();
  await expect(warning).toHaveCount(0);

  // A simulated server (a demo one) shows no hypervisor view.
  await page.goto("/servers");
  await page.getByRole("link", { name: "web-server-01", exact: true }).click();
  await expect(page.getByTestId("server-status").first()).toBeVisible();
  await expect(page.getByTestId("hypervisor-state")).toHaveCount(0);
  await expect(page.getByTestId("guest-agent")).toHaveCount(0);
});

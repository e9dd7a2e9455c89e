// One libvirt host's guests, through virsh (virsh.ts): their state, their first disk, the
// guest agent, power, checkpoints and backup jobs. XML goes through fast-xml-parser both
// ways (values escaped, nothing parsed by regex). The capture and restore built on these
// are in guest-data.ts.
import "server-only";
import { XMLBuilder, XMLParser } from "fast-xml-parser";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DriverError } from "@/lib/disks/driver";
import { virshFor, type Virsh } from "@/lib/disks/virsh";

import type { HYPERVISOR_STATES } from "@/lib/schemas/hosts";

export type HypervisorState = (typeof HYPERVISOR_STATES)[number];

/** virDomainState codes (libvirt-domain.h) as Snapdeck shows them. */
const STATE_BY_CODE: Record<string, HypervisorState> = {
  "0": "running", // no state: treat as running, the safe assumption for a capture
  "1": "running",
  "2": "running", // blocked on a resource
  "3": "paused",
  "4": "running", // shutting down
  "5": "shut_off",
  "6": "crashed",
  "7": "paused", // suspended by guest power management
};

/** How often `stop` presses the ACPI power button again while it waits. */
const ACPI_REPEAT_MS = 5_000;

export type GuestDisk = {
  /** The image file the domain's first disk reads. */
  file: string;
  format: "raw" | "qcow2";
  /** Its target device name in the domain (vda), what backup and checkpoint XML name. */
  target: string;
  /** Virtual size in bytes. */
  bytes: number;
  /** Target names of the domain's other disks (left out of backups). */
  others: string[];
};

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  isArray: (name) => name === "disk",
});
const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@", suppressEmptyNode: true });

type DiskNode = {
  "@device"?: string;
  "@type"?: string;
  source?: { "@file"?: string };
  driver?: { "@type"?: string };
  target?: { "@dev"?: string };
};

/** The first disk device of a domain's XML, or a DriverError saying why it cannot be used. */
export function parseDomainDisk(xml: string): Omit<GuestDisk, "bytes"> {
  const doc = parser.parse(xml) as { domain?: { devices?: { disk?: DiskNode[] } } };
  const disks = (doc.domain?.devices?.disk ?? []).filter((d) => (d["@device"] ?? "disk") === "disk");
  const first = disks[0];
  if (!first) throw new DriverError("unsupported", "The virtual machine has no disk.");
  const file = first.source?.["@file"];
  const format = first.driver?.["@type"] ?? "raw";
  const target = first.target?.["@dev"];
  if ((first["@type"] ?? "file") !== "file" || !file || !target)
    throw new DriverError("unsupported", "The virtual machine's first disk is not an image file; only file disks are supported.");
  if (format !== "raw" && format !== "qcow2")
    throw new DriverError("unsupported", `The virtual machine's first disk is ${format}; only raw and qcow2 are supported.`);
  const others = disks.slice(1).flatMap((d) => (d.target?.["@dev"] ? [d.target["@dev"]] : []));
  return { file, format, target, others };
}

/** `virsh domstats --state` text: one block per domain. */
export function parseDomstats(text: string): Map<string, HypervisorState> {
  const states = new Map<string, HypervisorState>();
  let name: string | null = null;
  for (const line of text.split("\n")) {
    const domain = /^Domain: '(.*)'$/.exec(line.trim());
    if (domain) name = domain[1]!;
    const state = /^state\.(state|reason)=(\d+)$/.exec(line.trim());
    if (!state || name === null) continue;
    if (state[1] === "state") states.set(name, STATE_BY_CODE[state[2]!] ?? "running");
    // Paused with reason 11 (VIR_DOMAIN_PAUSED_STARTING_UP): a guest on its way to running.
    else if (states.get(name) === "paused" && state[2] === "11") states.set(name, "running");
  }
  return states;
}

/** `key: value` lines of `virsh domjobinfo --rawstats` ("Job type: 3", "disk_processed: 4096"). */
function parseRawStats(text: string): Map<string, string> {
  const stats = new Map<string, string>();
  for (const line of text.split("\n")) {
    const at = line.indexOf(":");
    if (at > 0) stats.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  return stats;
}

export type BackupTarget = { file: string; format: "raw" | "qcow2" };

export function backupXml(disk: GuestDisk, target: BackupTarget, incrementalFrom: string | null): string {
  return builder.build({
    domainbackup: {
      "@mode": "push",
      ...(incrementalFrom && { incremental: incrementalFrom }),
      disks: {
        disk: [
          {
            "@name": disk.target,
            "@backup": "yes",
            "@type": "file",
            target: { "@file": target.file },
            driver: { "@type": target.format },
          },
          ...disk.others.map((name) => ({ "@name": name, "@backup": "no" })),
        ],
      },
    },
  });
}

export function checkpointXml(disk: GuestDisk, name: string): string {
  return builder.build({
    domaincheckpoint: {
      name,
      disks: {
        disk: [
          { "@name": disk.target, "@checkpoint": "bitmap" },
          ...disk.others.map((n) => ({ "@name": n, "@checkpoint": "no" })),
        ],
      },
    },
  });
}

export type LibvirtHost = ReturnType<typeof libvirtHost>;

/** The guests of the libvirtd at `uri` (default qemu:///system). */
export function libvirtHost(uri: string | null | undefined, run: Virsh = virshFor(uri)) {
  async function state(domain: string): Promise<HypervisorState> {
    const states = parseDomstats(await run(["domstats", "--state", "--", domain]));
    return states.get(domain) ?? "missing";
  }

  async function waitFor(domain: string, wanted: HypervisorState, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      if ((await state(domain)) === wanted) return true;
      if (Date.now() >= until) return false;
      await sleep(500, undefined, { signal });
    }
  }

  return {
    /** Every domain of the host with its state. */
    async domains(): Promise<Map<string, HypervisorState>> {
      return parseDomstats(await run(["domstats", "--state"]));
    },

    state,

    async disk(domain: string): Promise<GuestDisk> {
      const found = parseDomainDisk(await run(["dumpxml", "--", domain]));
      const info = await run(["domblkinfo", "--", domain, found.target]);
      const capacity = /^Capacity:\s+(\d+)/m.exec(info);
      if (!capacity) throw new Error(`virsh domblkinfo gave no capacity for ${domain}`);
      return { ...found, bytes: Number(capacity[1]) };
    },

    /** True when the QEMU guest agent answers a ping within two seconds. */
    async agentResponds(domain: string): Promise<boolean> {
      try {
        await run(["qemu-agent-command", "--timeout", "2", "--", domain, '{"execute":"guest-ping"}'], { timeoutMs: 5_000 });
        return true;
      } catch (err) {
        if (err instanceof DriverError) throw err; // libvirtd down, domain gone
        return false;
      }
    },

    /** Freezes the guest's filesystems through its agent; false when it cannot (then nothing is frozen). */
    async freeze(domain: string): Promise<boolean> {
      try {
        await run(["domfsfreeze", "--", domain], { timeoutMs: 10_000 });
        return true;
      } catch (err) {
        if (err instanceof DriverError) throw err;
        return false;
      }
    },

    async thaw(domain: string): Promise<void> {
      await run(["domfsthaw", "--", domain], { timeoutMs: 10_000 });
    },

    async start(domain: string, signal?: AbortSignal): Promise<void> {
      if ((await state(domain)) === "running") return;
      if ((await state(domain)) === "paused") await run(["resume", "--", domain]);
      else await run(["start", "--", domain]);
      if (!(await waitFor(domain, "running", 30_000, signal))) throw new Error(`domain ${domain} did not start`);
    },

    /**
     * ACPI shutdown, then forced off after `timeoutMs`: `forced` says it had to be. A paused
     * or crashed guest cannot answer ACPI: it is powered off at once (not a timeout).
     */
    async stop(domain: string, timeoutMs: number, signal?: AbortSignal): Promise<{ forced: boolean }> {
      const now = await state(domain);
      if (now === "missing")
        throw new DriverError("domain_missing", "The server's virtual machine no longer exists on its host.");
      if (now === "shut_off") return { forced: false };
      if (now === "running") {
        // The power button is pressed again every few seconds: a guest still booting has no
        // handler for it yet and drops the first press (so does a plain `virsh shutdown`).
        const until = Date.now() + timeoutMs;
        while (Date.now() < until) {
          await run(["shutdown", "--mode", "acpi", "--", domain]).catch((err) => {
            if (err instanceof DriverError) throw err; // a guest that already went down is fine
          });
          if (await waitFor(domain, "shut_off", Math.min(ACPI_REPEAT_MS, until - Date.now()), signal)) return { forced: false };
        }
      }
      await run(["destroy", "--", domain]).catch(async (err) => {
        if ((await state(domain)) !== "shut_off") throw err; // it went down by itself meanwhile
      });
      return { forced: now === "running" };
    },

    async checkpoints(domain: string): Promise<string[]> {
      return (await run(["checkpoint-list", "--name", "--", domain]))
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean);
    },

    /**
     * Removes a checkpoint. `metadataOnly`: the disk was rewritten outside libvirt, so its
     * bitmaps are gone or wrong: forget the checkpoint without touching the image.
     */
    async deleteCheckpoint(domain: string, name: string, metadataOnly = false): Promise<void> {
      await run(["checkpoint-delete", ...(metadataOnly ? ["--metadata"] : []), "--", domain, name]);
    },

    /** Starts a push-mode backup job (with a checkpoint when given) and returns once it runs. */
    async beginBackup(domain: string, backup: string, checkpoint: string | null): Promise<void> {
      // virsh takes the XML as files; they live only for the call.
      const dir = await mkdtemp(path.join(tmpdir(), "snapdeck-backup-xml-"));
      try {
        await writeFile(path.join(dir, "backup.xml"), backup);
        const args = ["backup-begin", "--domain", domain, "--backupxml", path.join(dir, "backup.xml")];
        if (checkpoint) {
          await writeFile(path.join(dir, "checkpoint.xml"), checkpoint);
          args.push("--checkpointxml", path.join(dir, "checkpoint.xml"));
        }
        await run(args);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },

    /** The domain's job now: null when none runs, else how far it is. */
    async job(domain: string): Promise<{ processed: number; total: number } | null> {
      const stats = parseRawStats(await run(["domjobinfo", "--rawstats", "--", domain]));
      // virDomainJobType: 0 none, 1 bounded, 2 unbounded, 3 completed, 4 failed, 5 cancelled
      if (!["1", "2"].includes(stats.get("Job type") ?? "0")) return null;
      return { processed: Number(stats.get("disk_processed") ?? 0), total: Number(stats.get("disk_total") ?? 0) };
    },

    /** The result of the domain's last finished job: true when it completed. */
    async lastJobCompleted(domain: string): Promise<boolean> {
      const stats = parseRawStats(await run(["domjobinfo", "--completed", "--anystats", "--rawstats", "--", domain]));
      return stats.get("Job type") === "3" && stats.get("success") !== "0";
    },

    async abortJob(domain: string): Promise<void> {
      await run(["domjobabort", "--", domain]).catch(() => {});
    },
  };
}

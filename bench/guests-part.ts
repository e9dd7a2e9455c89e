// Part 5: libvirt/QEMU guests. A running guest's snapshots through the product's own code
// (lib/disks/guest-data.ts captureGuest on the local chunk store, in a child process each:
// bench/guests-child.ts), side by side with what they are built from, on the same disk:
//   first (full) | the libvirt backup job alone (backup-begin → done) | `qemu-img convert -O raw`
//     of the disk with the guest stopped (and Snapdeck's own capture of the stopped guest)
//   second (incremental, after the guest ran N seconds) | the backup job alone, incremental
//   restore onto the guest's qcow2 disk | `qemu-img convert -O qcow2` of a raw of the same size
// plus what the incremental read against what the guest changed, and the guest's write stall
// around each capture: frozen ms (captureGuest's frozenMs, guest agent) and the longest gap
// between the guest's counter writes, timed from the host (below).
//
// The guests are tests/helpers/guest.ts's (a Debian kernel and a busybox initramfs, TCG, no
// KVM): /init rewrites counter sector A (1 MiB), counter sector B (201 MiB) and one 64 KiB
// block of a 2 MiB rolling region (16 MiB) per iteration, each synced, several times a second.
// Their disk is a qcow2 holding the data-plane benchmark's mixed content (bench/disk-content.ts)
// so copies are not trivially small. One plain guest (crash-consistent captures) and one with
// the QEMU guest agent (application-consistent: frozen while the job starts) boot together;
// the agent guest is suspended until its turn, then gets the freeze alone (domfsfreeze +
// domfsthaw) once a round, one full snapshot and one incremental a round. Each round of the
// plain guest starts from an empty store and no checkpoints. Skipped, with the reason, where
// libvirt cannot run guests. Every domain is destroyed and undefined (with its checkpoint
// metadata) and the work directory under /var/tmp removed, also on Ctrl-C.
//
// The write stall: counter A's 512 bytes are read straight from the image file every 2 ms
// (pread at the host offset `qemu-img map` gives for guest offset 1 MiB: QEMU writes through
// the host page cache, so a write the guest flushed is visible at once), and each new value
// is timestamped. The guest's sleep between iterations sets the normal gap (~0.2 s); a stall
// shows as a longer one. For each operation: the longest gap between two successive writes
// whose interval overlaps the operation's window.
import { execFileSync } from "node:child_process";
import { closeSync, openSync, readSync, rmSync } from "node:fs";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  COUNTER_A_OFFSET,
  consoleLogPath,
  defineGuest,
  destroyGuest,
  guestImages,
  guestWorkDir,
  libvirtSkipReason,
  readCounters,
  shutdownGuest,
  startGuest,
  virsh,
  waitForConsole,
} from "../tests/helpers/guest";
import { projectEnv } from "./servers";
import { log, ROOT, run, SERVER_CONDITIONS, sleep, stat, TSX, type Stat } from "./util";

export type GuestsOptions = {
  diskMb: number;
  contentMb: number;
  rounds: number;
  /** Seconds the plain guest runs between its first and second snapshot. */
  runSeconds: number;
  /** The same for the agent guest (its rows are about the freeze). */
  agentRunSeconds: number;
};

type Window = { startedAt: number; endedAt: number };
type Timed = Window & { seconds: number };
type CaptureMeasure = Timed & {
  readBytes: number;
  storedBytes: number;
  sizeBytes: number;
  frozenMs: number | null;
  incremental: boolean;
  consistency: string;
};
/** One operation: its time, what it wrote (stored or copied), the guest's writes around it. */
export type GuestSample = {
  seconds: number;
  outputBytes?: number;
  readBytes?: number;
  frozenMs?: number | null;
  /** Longest gap (ms) between the guest's counter writes overlapping the operation. */
  longestGapMs?: number;
  incremental?: boolean;
  consistency?: string;
};
export type GuestRow = {
  step: "first" | "second" | "restore";
  tool: string;
  seconds: Stat;
  outputMb: Stat;
};
export type StallRow = {
  guest: "plain" | "agent";
  what: string;
  frozenMs: Stat | null;
  longestGapMs: Stat;
  /** When the longest gap began, ms after the operation began (negative: just before it). */
  longestGapAtMs: Stat;
};
export type IncrementalRound = {
  /** Guest iterations between the two Snapdeck captures (counter A at each capture's start). */
  iterations: number;
  /** What those iterations rewrote, in 64 KiB clusters (qcow2's and the dirty bitmap's granularity). */
  changedBytes: number;
  /** What Snapdeck's incremental read (the clusters its backup job copied). */
  readBytes: number;
  /** What the backup job alone copied in its own incremental (`qemu-img map`: present clusters). */
  jobCopiedBytes: number;
  storedBytes: number;
};
export type GuestsResult = {
  options: GuestsOptions;
  /** MiB of data in the fresh guest disk (qcow2 data clusters). */
  dataMb: number;
  bootSeconds: number;
  rows: GuestRow[];
  stalls: StallRow[];
  incremental: IncrementalRound[];
  /** Every gap (ms) between the guest's writes while it ran undisturbed between its snapshots. */
  undisturbedGapsMs: { plain: Stat; agent: Stat };
  /** Counters A = B or B + 1 in the restored disk, A within the snapshot's window. */
  restoreVerified: boolean;
  /** The machine's 1-minute load average as the part started and as it ended (other work shows here). */
  loadAverage: { start: number; end: number };
  /** Writes the stall sampler missed (counter jumps of more than one), all rounds. */
  samplerMisses: number;
  samples: Record<string, GuestSample[]>;
};
export type GuestsOutcome = GuestsResult | { skipped: string };

const MIB = 1024 * 1024;
const CLUSTER = 64 * 1024;
/** The guest's rolling region: 32 blocks of 64 KiB, block n % 32 rewritten each iteration. */
const ROLLING_BLOCKS = 32;
const now = () => performance.timeOrigin + performance.now();

/** Counter A of a running guest, read from its image file every 2 ms and timestamped on change. */
class CounterSampler {
  readonly writes: { t: number; n: number }[] = [];
  misses = 0;
  private fd: number;
  private timer: NodeJS.Timeout;
  private buf = Buffer.alloc(512);

  constructor(file: string, hostOffset: number) {
    this.fd = openSync(file, "r");
    this.timer = setInterval(() => {
      readSync(this.fd, this.buf, 0, 512, hostOffset);
      const m = /^SNAPDECK-COUNTER (\d+)\n/.exec(this.buf.toString("latin1", 0, 40));
      if (!m) return; // torn read: the next one sees it
      const n = Number(m[1]);
      const last = this.writes.at(-1);
      if (last && n === last.n) return;
      if (last && n > last.n + 1) this.misses += n - last.n - 1;
      this.writes.push({ t: now(), n });
    }, 2);
    this.timer.unref(); // a part that failed halfway must not keep the process alive
  }

  stop(): void {
    clearInterval(this.timer);
    closeSync(this.fd);
  }

  /** Gaps between successive writes whose interval overlaps [from, to]. */
  gaps(from: number, to: number): number[] {
    const out: number[] = [];
    for (let i = 1; i < this.writes.length; i++) {
      const a = this.writes[i - 1]!;
      const b = this.writes[i]!;
      if (b.t > from && a.t < to) out.push(b.t - a.t);
    }
    return out;
  }

  /** The longest gap overlapping the window, and when it began (ms after the window's start; negative: before). */
  longestGap(w: Window): { ms: number; atMs: number } {
    let best = { ms: -Infinity, atMs: NaN };
    for (let i = 1; i < this.writes.length; i++) {
      const a = this.writes[i - 1]!;
      const b = this.writes[i]!;
      if (b.t > w.startedAt && a.t < w.endedAt && b.t - a.t > best.ms) best = { ms: b.t - a.t, atMs: a.t - w.startedAt };
    }
    return best;
  }

  /** The counter as of time t (the last write seen at or before it). */
  valueAt(t: number): number {
    let v = NaN;
    for (const w of this.writes) if (w.t <= t) v = w.n;
    return v;
  }

  /** Waits until the guest has written after `t`, so a gap that ends after an operation is complete. */
  async writtenAfter(t: number): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (!(this.writes.at(-1)!.t > t)) {
      if (Date.now() > deadline) throw new Error("the guest stopped writing its counter");
      await sleep(20);
    }
  }
}

/** The host offset of guest offset `at` in a qcow2 image (-U: the guest is running). */
async function hostOffset(file: string, at: number): Promise<number> {
  const { stdout } = await run("qemu-img", ["map", "-U", "--output=json", "-f", "qcow2", file]);
  const extents = JSON.parse(stdout) as { start: number; length: number; data: boolean; offset?: number }[];
  const e = extents.find((x) => x.start <= at && at < x.start + x.length);
  if (!e?.data || e.offset === undefined) throw new Error(`guest offset ${at} of ${file} is not allocated`);
  return e.offset + (at - e.start);
}

/** Bytes of a qcow2's own clusters: `present` (an incremental backup copy) or data. */
async function mappedBytes(file: string, which: "present" | "data"): Promise<number> {
  const { stdout } = await run("qemu-img", ["map", "-U", "--output=json", "-f", "qcow2", file]);
  const extents = JSON.parse(stdout) as { length: number; depth: number; data: boolean; present?: boolean }[];
  return extents.filter((e) => e.depth === 0 && e[which]).reduce((sum, e) => sum + e.length, 0);
}

async function allocated(file: string): Promise<number> {
  return (await fs.stat(file)).blocks * 512;
}

const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

/** A shell command's wall time (its output fsynced inside the command, as the other parts do). */
async function timedShell(command: string): Promise<Timed> {
  const startedAt = now();
  await run("sh", ["-c", command]);
  const endedAt = now();
  return { startedAt, endedAt, seconds: (endedAt - startedAt) / 1000 };
}

function rawStats(text: string): Map<string, string> {
  const stats = new Map<string, string>();
  for (const line of text.split("\n")) {
    const at = line.indexOf(":");
    if (at > 0) stats.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  return stats;
}

/**
 * Baseline B: the libvirt push-mode backup job alone, as captureGuest starts it (a qcow2
 * target, a checkpoint for the next incremental), timed from `virsh backup-begin` until
 * `domjobinfo` says no job runs (polled every 50 ms), plus a `sync` of the copy.
 */
async function backupJob(
  dir: string,
  domain: string,
  target: string,
  checkpoint: string,
  incrementalFrom: string | null,
): Promise<Timed> {
  const backupXml =
    `<domainbackup mode='push'>${incrementalFrom ? `<incremental>${incrementalFrom}</incremental>` : ""}<disks>` +
    `<disk name='vda' backup='yes' type='file'><target file='${target}'/><driver type='qcow2'/></disk></disks></domainbackup>`;
  const checkpointXml = `<domaincheckpoint><name>${checkpoint}</name><disks><disk name='vda' checkpoint='bitmap'/></disks></domaincheckpoint>`;
  const bx = path.join(dir, "backup.xml");
  const cx = path.join(dir, "checkpoint.xml");
  await fs.writeFile(bx, backupXml);
  await fs.writeFile(cx, checkpointXml);
  const startedAt = now();
  await virsh("backup-begin", "--domain", domain, "--backupxml", bx, "--checkpointxml", cx);
  for (;;) {
    const type = rawStats(await virsh("domjobinfo", "--rawstats", domain)).get("Job type");
    if (type !== "1" && type !== "2") break;
    await sleep(50);
  }
  await run("sync", [target]);
  const endedAt = now();
  const done = rawStats(await virsh("domjobinfo", "--completed", "--anystats", "--rawstats", domain));
  if (done.get("Job type") !== "3") throw new Error(`the backup job of ${domain} did not complete: ${JSON.stringify([...done])}`);
  return { startedAt, endedAt, seconds: (endedAt - startedAt) / 1000 };
}

async function deleteCheckpoints(domain: string): Promise<void> {
  const names = (await virsh("checkpoint-list", "--name", "--topological", domain)).split("\n").filter(Boolean);
  // Children before their parents (--topological lists parents first).
  for (const name of names.reverse()) await virsh("checkpoint-delete", domain, name.trim());
}

async function agentResponds(domain: string): Promise<boolean> {
  return virsh("qemu-agent-command", "--timeout", "2", domain, '{"execute":"guest-ping"}').then(
    () => true,
    () => false,
  );
}

export async function runGuestsPart(o: GuestsOptions): Promise<GuestsOutcome> {
  const skip = await libvirtSkipReason();
  if (skip) return { skipped: skip };
  for (const tool of ["qemu-img", "qemu-io"])
    if (
      !(await run("sh", ["-c", `command -v ${tool}`]).then(
        () => true,
        () => false,
      ))
    )
      return { skipped: `${tool} is not installed (apt-get install qemu-utils)` };

  await guestImages(); // built once per machine (scripts/vm/build-guest.sh)
  const dir = await guestWorkDir("snapdeck-bench-guests-"); // 0755 under /var/tmp: QEMU's user reaches it
  const plain = `sdbench-plain-${process.pid}`;
  const agent = `sdbench-agent-${process.pid}`;
  const defined: string[] = [];
  // Interrupted (Ctrl-C): run.ts stops its children and exits; the guests go first, synchronously.
  const onSignal = () => {
    for (const name of defined) {
      for (const args of [
        ["destroy", name],
        ["undefine", name, "--checkpoints-metadata", "--snapshots-metadata", "--nvram"],
      ])
        try {
          execFileSync("virsh", ["-c", "qemu:///system", ...args], { stdio: "ignore" });
        } catch {
          /* not running / gone */
        }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    return await measure(o, dir, plain, agent, defined);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    for (const name of defined) {
      await destroyGuest(name).catch((err) => log(`guests: cleaning up ${name}: ${(err as Error).message}`));
      await fs.rm(consoleLogPath(name), { force: true });
      await fs.rm(consoleLogPath(name).replace(/\.log$/, ".xml"), { force: true });
    }
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function measure(o: GuestsOptions, dir: string, plain: string, agent: string, defined: string[]): Promise<GuestsResult> {
  const loadAtStart = os.loadavg()[0]!;
  const scratch = path.join(dir, "scratch");
  await fs.mkdir(scratch, { mode: 0o755 });
  const samples: Record<string, GuestSample[]> = {};
  const add = (key: string, s: GuestSample) => (samples[key] ??= []).push(s);

  // The guest disk: the data-plane benchmark's mixed content, as a qcow2.
  log(`guests: writing a ${o.diskMb} MiB qcow2 guest disk with ~${o.contentMb} MiB of data`);
  const raw = path.join(dir, "content.raw");
  await run(
    TSX,
    [SERVER_CONDITIONS, path.join(ROOT, "bench/dataplane-child.ts"), "disk", raw, String(o.diskMb), String(o.contentMb)],
    {
      cwd: ROOT,
      env: projectEnv(path.join(dir, "content-data")),
    },
  );
  const pristine = path.join(dir, "pristine.qcow2");
  await run("qemu-img", ["convert", "-f", "raw", "-O", "qcow2", raw, pristine]);
  await fs.rm(raw);
  const dataMb = (await mappedBytes(pristine, "data")) / MIB;
  const plainDisk = path.join(dir, "plain.qcow2");
  const agentDisk = path.join(dir, "agent.qcow2");
  await run("cp", ["--sparse=always", pristine, plainDisk]);
  await run("cp", ["--sparse=always", pristine, agentDisk]);

  // Both guests boot at once; the agent guest is suspended once up, until its turn.
  const bootStarted = performance.now();
  await defineGuest({ name: plain, disk: plainDisk });
  defined.push(plain);
  await defineGuest({ name: agent, disk: agentDisk, agent: true });
  defined.push(agent);
  await startGuest(plain);
  await startGuest(agent);
  await waitForConsole(plain, /counter-start/, 180_000);
  const bootSeconds = (performance.now() - bootStarted) / 1000;
  await waitForConsole(agent, /counter 20\b/, 180_000);
  for (let i = 0; !(await agentResponds(agent)); i++) {
    if (i > 60) throw new Error(`${agent}: the guest agent does not answer`);
    await sleep(500);
  }
  await virsh("suspend", agent);
  await waitForConsole(plain, /counter 20\b/, 120_000);
  log(`guests: booted in ${bootSeconds.toFixed(0)}s (two TCG guests at once)`);

  const child = async (dataDir: string, args: string[]) => {
    const { stdout } = await run(TSX, [SERVER_CONDITIONS, path.join(ROOT, "bench/guests-child.ts"), ...args], {
      cwd: ROOT,
      env: projectEnv(dataDir, {
        SNAPDECK_DISK_DRIVER: "local",
        SNAPDECK_STORE_DIR: path.join(dataDir, "snapshots"),
        SNAPDECK_LIBVIRT_SCRATCH_DIR: scratch,
        SNAPDECK_DISK_THROUGHPUT_MBPS: "0",
      }),
    });
    return JSON.parse(stdout.trim().split("\n").at(-1)!) as CaptureMeasure;
  };
  const stalls: Record<string, { frozen: (number | null)[]; gaps: number[]; at: number[] }> = {};
  const quietGaps: Record<"plain" | "agent", number[]> = { plain: [], agent: [] };
  const stall = (guest: "plain" | "agent", what: string, w: Window, frozenMs: number | null = null) => {
    const s = (stalls[`${guest}:${what}`] ??= { frozen: [], gaps: [], at: [] });
    const longest = sampler.longestGap(w);
    s.gaps.push(longest.ms);
    s.at.push(longest.atMs);
    s.frozen.push(frozenMs);
  };

  // --- the plain guest, running: first and second snapshot, Snapdeck vs the job alone --------
  let sampler = new CounterSampler(plainDisk, await hostOffset(plainDisk, COUNTER_A_OFFSET));
  const incremental: IncrementalRound[] = [];
  let lastFull: { dataDir: string; window: Timed } | null = null;
  for (let round = 0; round < o.rounds; round++) {
    const dataDir = path.join(dir, `plain-${round}`);
    const jobFull = path.join(scratch, `job-full-${round}.qcow2`);
    const jobInc = path.join(scratch, `job-inc-${round}.qcow2`);
    let full!: CaptureMeasure;
    let second!: CaptureMeasure;
    let jobIncCopied = 0;
    const tag = `round ${round + 1}/${o.rounds}`;
    const first: [string, () => Promise<void>][] = [
      [
        "snapdeck",
        async () => {
          full = await child(dataDir, ["capture", plain, "1"]);
          await sampler.writtenAfter(full.endedAt);
          const gap = sampler.longestGap(full).ms;
          add("first:snapdeck", {
            seconds: full.seconds,
            outputBytes: full.storedBytes,
            readBytes: full.readBytes,
            longestGapMs: gap,
            consistency: full.consistency,
            incremental: full.incremental,
          });
          stall("plain", "Snapdeck, first (full)", full, full.frozenMs);
          log(
            `guests ${tag} first:snapdeck ${full.seconds.toFixed(2)}s, stored ${(full.storedBytes / MIB).toFixed(1)} MiB, longest write gap ${gap.toFixed(0)} ms`,
          );
        },
      ],
      [
        "job",
        async () => {
          const t = await backupJob(dir, plain, jobFull, `bench-job-${round}`, null);
          await sampler.writtenAfter(t.endedAt);
          const gap = sampler.longestGap(t).ms;
          add("first:backup job", { seconds: t.seconds, outputBytes: await allocated(jobFull), longestGapMs: gap });
          stall("plain", "libvirt backup job alone, full", t);
          await fs.rm(jobFull);
          log(`guests ${tag} first:backup job ${t.seconds.toFixed(2)}s, longest write gap ${gap.toFixed(0)} ms`);
        },
      ],
    ];
    const secondSteps: [string, () => Promise<void>][] = [
      [
        "snapdeck",
        async () => {
          second = await child(dataDir, ["capture", plain, "2", "1", "snapdeck-1"]);
          await sampler.writtenAfter(second.endedAt);
          const gap = sampler.longestGap(second).ms;
          if (!second.incremental) throw new Error("Snapdeck's second capture was not incremental");
          add("second:snapdeck", {
            seconds: second.seconds,
            outputBytes: second.storedBytes,
            readBytes: second.readBytes,
            longestGapMs: gap,
            incremental: second.incremental,
          });
          stall("plain", "Snapdeck, second (incremental)", second, second.frozenMs);
          log(
            `guests ${tag} second:snapdeck ${second.seconds.toFixed(2)}s, read ${(second.readBytes / MIB).toFixed(2)} MiB, longest write gap ${gap.toFixed(0)} ms`,
          );
        },
      ],
      [
        "job",
        async () => {
          const t = await backupJob(dir, plain, jobInc, `bench-job-inc-${round}`, `bench-job-${round}`);
          await sampler.writtenAfter(t.endedAt);
          const gap = sampler.longestGap(t).ms;
          // The copy names the live disk as its backing file: read its own clusters only.
          await run("qemu-img", ["rebase", "-u", "-b", "", "-f", "qcow2", jobInc]);
          jobIncCopied = await mappedBytes(jobInc, "present");
          add("second:backup job", {
            seconds: t.seconds,
            outputBytes: await allocated(jobInc),
            readBytes: jobIncCopied,
            longestGapMs: gap,
          });
          stall("plain", "libvirt backup job alone, incremental", t);
          await fs.rm(jobInc);
          log(`guests ${tag} second:backup job ${t.seconds.toFixed(2)}s, copied ${(jobIncCopied / MIB).toFixed(2)} MiB`);
        },
      ],
    ];
    // Alternate which side goes first from round to round.
    for (const [, fn] of round % 2 ? [...first].reverse() : first) await fn();
    // The guest runs on, undisturbed: its usual gaps.
    const quietFrom = now() + 1_000;
    await sleep(o.runSeconds * 1000);
    quietGaps.plain.push(...sampler.gaps(quietFrom, now()));
    for (const [, fn] of round % 2 ? [...secondSteps].reverse() : secondSteps) await fn();
    const iterations = sampler.valueAt(second.startedAt) - sampler.valueAt(full.startedAt);
    incremental.push({
      iterations,
      changedBytes: (Math.min(iterations, ROLLING_BLOCKS) + 2) * CLUSTER, // + the clusters of counters A and B
      readBytes: second.readBytes,
      jobCopiedBytes: jobIncCopied,
      storedBytes: second.storedBytes,
    });
    lastFull = { dataDir, window: full };
    await deleteCheckpoints(plain); // as pruneCheckpoints does after a commit; the next round starts afresh
  }
  const plainMisses = sampler.misses;
  sampler.stop();
  const expectedA = [sampler.valueAt(lastFull!.window.startedAt), sampler.valueAt(lastFull!.window.endedAt)];

  // --- the plain guest, stopped: qemu-img convert of its disk, Snapdeck's offline capture, restores
  await shutdownGuest(plain, 60_000);
  const rawCopy = path.join(dir, "stopped.raw");
  for (let round = 0; round < o.rounds; round++) {
    const steps: [string, () => Promise<void>][] = [
      [
        "stopped",
        async () => {
          const m = await child(path.join(dir, `offline-${round}`), ["capture", plain, "1"]);
          if (m.consistency !== "offline") throw new Error(`a stopped guest's capture was ${m.consistency}`);
          add("first:snapdeck, guest stopped", { seconds: m.seconds, outputBytes: m.storedBytes, consistency: m.consistency });
          log(`guests round ${round + 1}/${o.rounds} first:snapdeck, guest stopped ${m.seconds.toFixed(2)}s`);
        },
      ],
      [
        "convert",
        async () => {
          await fs.rm(rawCopy, { force: true });
          const t = await timedShell(`qemu-img convert -f qcow2 -O raw ${q(plainDisk)} ${q(rawCopy)} && sync ${q(rawCopy)}`);
          add("first:qemu-img convert -O raw, guest stopped", { seconds: t.seconds, outputBytes: await allocated(rawCopy) });
          log(`guests round ${round + 1}/${o.rounds} first:qemu-img convert ${t.seconds.toFixed(2)}s`);
        },
      ],
    ];
    for (const [, fn] of round % 2 ? [...steps].reverse() : steps) await fn();
  }
  let restoreVerified = false;
  const restoredQcow2 = path.join(dir, "restored-by-qemu-img.qcow2");
  for (let round = 0; round < o.rounds; round++) {
    const steps: [string, () => Promise<void>][] = [
      [
        "snapdeck",
        async () => {
          const m = await child(lastFull!.dataDir, ["restore", plain, "1"]);
          add("restore:snapdeck", { seconds: m.seconds, outputBytes: await allocated(plainDisk) });
          const { a, b } = await readCounters(plainDisk);
          restoreVerified = a !== null && b !== null && (a === b || a === b + 1) && a >= expectedA[0]! && a <= expectedA[1]! + 1;
          log(
            `guests round ${round + 1}/${o.rounds} restore:snapdeck ${m.seconds.toFixed(2)}s; restored counters A=${a} B=${b}, ` +
              `counter during the snapshot ${expectedA[0]}–${expectedA[1]}: ${restoreVerified ? "ok" : "WRONG"}`,
          );
        },
      ],
      [
        "convert",
        async () => {
          await fs.rm(restoredQcow2, { force: true });
          const t = await timedShell(
            `qemu-img convert -f raw -O qcow2 ${q(rawCopy)} ${q(restoredQcow2)} && sync ${q(restoredQcow2)}`,
          );
          add("restore:qemu-img convert -O qcow2", { seconds: t.seconds, outputBytes: await allocated(restoredQcow2) });
          log(`guests round ${round + 1}/${o.rounds} restore:qemu-img convert ${t.seconds.toFixed(2)}s`);
        },
      ],
    ];
    for (const [, fn] of round % 2 ? [...steps].reverse() : steps) await fn();
  }
  await fs.rm(rawCopy, { force: true });
  await fs.rm(restoredQcow2, { force: true });
  await destroyGuest(plain);
  defined.splice(defined.indexOf(plain), 1);
  await fs.rm(consoleLogPath(plain), { force: true });
  await fs.rm(consoleLogPath(plain).replace(/\.log$/, ".xml"), { force: true });

  // --- the agent guest: the freeze ----------------------------------------------------------
  await virsh("resume", agent);
  for (let i = 0; !(await agentResponds(agent)); i++) {
    if (i > 60) throw new Error(`${agent}: the guest agent does not answer after resume`);
    await sleep(500);
  }
  sampler = new CounterSampler(agentDisk, await hostOffset(agentDisk, COUNTER_A_OFFSET));
  await sleep(2_000);
  // The freeze alone, once a round: domfsfreeze, domfsthaw, nothing between.
  for (let round = 0; round < o.rounds; round++) {
    const startedAt = now();
    await virsh("domfsfreeze", agent);
    const frozenAt = now();
    await virsh("domfsthaw", agent);
    const endedAt = now();
    await sampler.writtenAfter(endedAt);
    const gap = sampler.longestGap({ startedAt, endedAt }).ms;
    stall("agent", "domfsfreeze + domfsthaw alone", { startedAt, endedAt }, Math.round(endedAt - frozenAt));
    log(
      `guests agent round ${round + 1}/${o.rounds} freeze alone: frozen ${Math.round(endedAt - frozenAt)} ms, longest write gap ${gap.toFixed(0)} ms`,
    );
    await sleep(1_000);
  }
  // Snapdeck: one full snapshot, then one incremental a round, each on the one before (as a
  // schedule takes them), every one frozen while its job starts.
  const agentData = path.join(dir, "agent");
  for (let k = 0; k <= o.rounds; k++) {
    if (k > 0) {
      const quietFrom = now() + 1_000;
      await sleep(o.agentRunSeconds * 1000);
      quietGaps.agent.push(...sampler.gaps(quietFrom, now()));
    }
    const m = await child(agentData, ["capture", agent, String(k + 1), ...(k > 0 ? [String(k), `snapdeck-${k}`] : [])]);
    if (m.consistency !== "application") throw new Error(`the agent guest's capture was ${m.consistency}`);
    if (m.incremental !== k > 0) throw new Error(`the agent guest's capture ${k + 1} was incremental: ${m.incremental}`);
    await sampler.writtenAfter(m.endedAt);
    const gap = sampler.longestGap(m).ms;
    const step = k === 0 ? "first" : "second";
    stall("agent", k === 0 ? "Snapdeck, first (full)" : "Snapdeck, second (incremental)", m, m.frozenMs);
    add(`${step}:snapdeck, guest agent`, {
      seconds: m.seconds,
      outputBytes: m.storedBytes,
      readBytes: m.readBytes,
      frozenMs: m.frozenMs,
      longestGapMs: gap,
      consistency: m.consistency,
      incremental: m.incremental,
    });
    log(
      `guests agent ${step} (${k + 1}): ${m.seconds.toFixed(2)}s, frozen ${m.frozenMs} ms, longest write gap ${gap.toFixed(0)} ms`,
    );
  }
  const samplerMisses = plainMisses + sampler.misses;
  sampler.stop();

  const order = ["first", "second", "restore"];
  const rows: GuestRow[] = Object.entries(samples).map(([key, ms]) => {
    const [step, tool] = key.split(/:(.*)/s) as [GuestRow["step"], string];
    return {
      step,
      tool,
      seconds: stat(ms.map((m) => m.seconds)),
      outputMb: stat(ms.map((m) => (m.outputBytes ?? NaN) / MIB)),
    };
  });
  rows.sort((a, b) => order.indexOf(a.step) - order.indexOf(b.step)); // stable: each step's rows in the order they ran
  const stallRows: StallRow[] = Object.entries(stalls).map(([key, s]) => {
    const [guest, what] = key.split(/:(.*)/s) as ["plain" | "agent", string];
    const frozen = s.frozen.filter((f): f is number => f !== null);
    return {
      guest,
      what,
      frozenMs: frozen.length ? stat(frozen) : null,
      longestGapMs: stat(s.gaps),
      longestGapAtMs: stat(s.at),
    };
  });
  return {
    options: o,
    dataMb,
    bootSeconds,
    rows,
    stalls: stallRows,
    incremental,
    undisturbedGapsMs: { plain: stat(quietGaps.plain), agent: stat(quietGaps.agent) },
    restoreVerified,
    loadAverage: { start: loadAtStart, end: os.loadavg()[0]! },
    samplerMisses,
    samples,
  };
}

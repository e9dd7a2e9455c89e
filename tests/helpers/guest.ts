// Tiny libvirt/QEMU guests for the VM suites. The guest is a Debian kernel plus a busybox
// initramfs (scripts/vm/build-guest.sh) whose /init keeps counting on its disk:
//   sector A at 1 MiB and sector B at 201 MiB hold "SNAPDECK-COUNTER <n>", written A then B,
//   each synced, so every point-in-time copy of the disk has A = B or A = B + 1; a restored
//   disk makes the next boot print `counter-start <A>` and count on from there.
// With `agent: true` the guest runs qemu-ga, whose fsfreeze hook parks the writer first, so a
// copy taken while frozen has A = B exactly.
// Needs root and running libvirtd/virtlogd (scripts/vm/libvirt-up.sh); suites skip with
// libvirtSkipReason() otherwise. No KVM is assumed: domains are type='qemu' (TCG).
import { execFile } from "node:child_process";
import { promises as fs } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);
const URI = "qemu:///system";
const ROOT = path.resolve(__dirname, "../..");
/** Where build-guest.sh caches the kernel and initramfs images, once per machine. */
export const GUEST_DIR = process.env.SNAPDECK_GUEST_DIR ?? "/var/tmp/snapdeck-guest";
// Not inside GUEST_DIR: a rebuild swaps that directory while guests may be running.
const CONSOLE_DIR = `${GUEST_DIR}-consoles`;

export const COUNTER_A_OFFSET = 1024 * 1024;
export const COUNTER_B_OFFSET = COUNTER_A_OFFSET + 200 * 1024 * 1024;
/** The rolling region: the 64 KiB block of counter n is at ROLLING_OFFSET + (n % 32) * 64 KiB. */
export const ROLLING_OFFSET = 16 * 1024 * 1024;

/**
 * Runs virsh against qemu:///system; rejects with virsh's own error line. While libvirtd is
 * (re)starting, e.g. restarted by another suite, virsh cannot connect and has sent nothing:
 * that alone is retried, for up to 30 s.
 */
export async function virsh(...args: string[]): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const { stdout } = await exec("virsh", ["-c", URI, ...args], { timeout: 120_000 });
      return stdout.trim();
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      const why = (e.stderr || e.message).trim();
      if (/failed to connect to the hypervisor/.test(why) && Date.now() < deadline) {
        await sleep(500);
        continue;
      }
      throw new Error(`virsh ${args.join(" ")}: ${why}`);
    }
  }
}

/** null when libvirt can run guests here, else a one-line reason to skip. */
export async function libvirtSkipReason(): Promise<string | null> {
  try {
    await exec("qemu-system-x86_64", ["--version"]);
  } catch {
    return "qemu-system-x86_64 is not installed (run scripts/vm/libvirt-up.sh as root)";
  }
  try {
    await exec("virsh", ["-c", URI, "list"], { timeout: 30_000 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    // virsh says "failed to connect to the hypervisor", then why: keep both, on one line.
    const why = (e.stderr || e.message)
      .trim()
      .split("\n")
      .map((line) => line.replace(/^error: /, ""))
      .join("; ");
    return `virsh -c ${URI} list failed: ${why} (run scripts/vm/libvirt-up.sh as root)`;
  }
  return null;
}

export interface GuestImages {
  kernel: string;
  initrdPlain: string;
  initrdAgent: string;
}

let images: Promise<GuestImages> | undefined;

/** The guest images, built on first use (~15 s; then a no-op: build-guest.sh checks its stamp). */
export function guestImages(): Promise<GuestImages> {
  images ??= exec(path.join(ROOT, "scripts/vm/build-guest.sh"), [GUEST_DIR], { timeout: 600_000 }).then(() => ({
    kernel: path.join(GUEST_DIR, "vmlinuz"),
    initrdPlain: path.join(GUEST_DIR, "initrd-plain.img"),
    initrdAgent: path.join(GUEST_DIR, "initrd-agent.img"),
  }));
  return images;
}

/** A directory for guest disks that libvirt-qemu can reach (mkdtemp makes 0700 ones). */
export async function guestWorkDir(prefix = "snapdeck-vm-"): Promise<string> {
  const dir = await fs.mkdtemp(path.join("/var/tmp", prefix));
  await fs.chmod(dir, 0o755);
  return dir;
}

export async function createGuestDisk(file: string, format: "qcow2" | "raw", sizeMb = 256): Promise<void> {
  // Counter B sits at 201 MiB.
  if (sizeMb < 256) throw new Error(`a guest disk needs at least 256 MiB, not ${sizeMb}`);
  await exec("qemu-img", ["create", "-q", "-f", format, file, `${sizeMb}M`]);
}

/** The image format qemu-img detects (-U: the disk may belong to a running guest). */
export async function diskFormat(file: string): Promise<string> {
  const { stdout } = await exec("qemu-img", ["info", "-U", "--output=json", file]);
  return (JSON.parse(stdout) as { format: string }).format;
}

export function consoleLogPath(name: string): string {
  return path.join(CONSOLE_DIR, `${name}.log`);
}

/**
 * Defines (does not start) a guest on `disk`. QEMU runs as libvirt-qemu, which libvirt gives
 * the disk, kernel and initrd while the guest runs: every directory above them must be
 * traversable by others, so this refuses a disk under a 0700 directory up front instead of
 * letting `virsh start` fail with a bare "Permission denied".
 */
export async function defineGuest(opts: { name: string; disk: string; agent?: boolean; memoryMb?: number }): Promise<void> {
  const img = await guestImages();
  const disk = path.resolve(opts.disk);
  await assertReachable(disk);
  const format = await diskFormat(disk);
  await fs.mkdir(CONSOLE_DIR, { recursive: true });
  await fs.chmod(CONSOLE_DIR, 0o755);
  const x = escapeXml;
  // on_reboot destroy: the kernel reboots on a panic (panic=-1) and the guest never reboots
  // on its own, so a crashed guest turns up as "shut off" instead of booting in a loop.
  // No NIC (so no libvirt network), no USB, no balloon: less for TCG to emulate.
  // Disk: cache mode left at QEMU's default (writeback; cache='none' is O_DIRECT, which tmpfs
  // hosts refuse); the guest's fsync becomes a flush, so what it synced is in the file.
  const xml = `<domain type='qemu'>
  <name>${x(opts.name)}</name>
  <memory unit='MiB'>${opts.memoryMb ?? 128}</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>${x(img.kernel)}</kernel>
    <initrd>${x(opts.agent ? img.initrdAgent : img.initrdPlain)}</initrd>
    <cmdline>console=ttyS0 quiet panic=-1 no_timer_check</cmdline>
  </os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='${x(format)}'/>
      <source file='${x(disk)}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <serial type='file'>
      <source path='${x(consoleLogPath(opts.name))}' append='off'/>
      <target port='0'/>
    </serial>${
      opts.agent
        ? `
    <channel type='unix'>
      <target type='virtio' name='org.qemu.guest_agent.0'/>
    </channel>`
        : ""
    }
    <controller type='usb' model='none'/>
    <memballoon model='none'/>
  </devices>
</domain>
`;
  const file = path.join(CONSOLE_DIR, `${opts.name}.xml`); // next to the log, for debugging (destroyGuest removes both)
  await fs.writeFile(file, xml);
  await virsh("define", file);
}

export async function startGuest(name: string): Promise<void> {
  await virsh("start", name);
}

export async function domState(name: string): Promise<string> {
  return virsh("domstate", name);
}

export async function waitForState(name: string, state: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = await domState(name);
    if (now === state) return;
    if (Date.now() > deadline) throw new Error(`${name} is "${now}", not "${state}", after ${timeoutMs} ms`);
    await sleep(250);
  }
}

/**
 * ACPI power-off (virsh shutdown), waiting until the guest is shut off. The button press is
 * repeated every 5 s: one made before the guest's acpid runs is lost.
 */
export async function shutdownGuest(name: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await domState(name)) !== "shut off") {
    if (Date.now() > deadline) throw new Error(`${name} did not shut off within ${timeoutMs} ms of virsh shutdown`);
    await virsh("shutdown", name).catch(() => {}); // fails once it has just shut off
    await waitForState(name, "shut off", Math.min(5_000, Math.max(0, deadline - Date.now()))).catch(() => {});
  }
}

/**
 * Destroys (if running) and undefines the guest with its checkpoint/snapshot metadata, and
 * removes its console log and XML; a missing guest is fine. The disk is left alone, and so are
 * the checkpoint bitmaps inside a qcow2 disk (`qemu-img bitmap --remove` drops those).
 */
export async function destroyGuest(name: string): Promise<void> {
  const ignore = (pattern: RegExp) => (err: Error) => {
    if (!pattern.test(err.message)) throw err;
  };
  await virsh("destroy", name).catch(ignore(/failed to get domain|not found|not running/));
  await virsh("undefine", name, "--checkpoints-metadata", "--snapshots-metadata", "--nvram").catch(
    ignore(/failed to get domain|not found/),
  );
  await fs.rm(consoleLogPath(name), { force: true });
  await fs.rm(path.join(CONSOLE_DIR, `${name}.xml`), { force: true });
}

export async function consoleLog(name: string): Promise<string> {
  return fs.readFile(consoleLogPath(name), "utf8").catch(() => "");
}

/** Polls the guest's serial log (truncated at each start) until `pattern` matches it. */
export async function waitForConsole(name: string, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const log = await consoleLog(name);
    const match = log.match(pattern);
    if (match) return match;
    if (Date.now() > deadline)
      throw new Error(`${name}: no ${pattern} on the console after ${timeoutMs} ms; it ends with:\n${log.slice(-1500)}`);
    await sleep(250);
  }
}

/**
 * `length` bytes at `offset` of a disk image as the guest sees them: raw files are read
 * directly; other formats (qcow2, with any backing chain) through qemu-io. -U: the image may
 * be in use by a running guest (what it has synced is there).
 */
export async function readDiskBytes(file: string, offset: number, length: number): Promise<Buffer> {
  const format = await diskFormat(file);
  if (format === "raw") {
    const handle = await fs.open(file, "r");
    try {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }
  const { stdout } = await exec("qemu-io", ["-U", "-r", "-f", format, "-c", `read -v ${offset} ${length}`, file], {
    maxBuffer: 64 * 1024 * 1024,
  });
  // Hexdump lines: "00100000:  53 4e 41 50 ...  SNAPDECK...".
  const bytes: number[] = [];
  for (const line of stdout.split("\n")) {
    const m = /^[0-9a-f]+:\s+((?:[0-9a-f]{2} )*[0-9a-f]{2})/.exec(line);
    if (m) for (const h of m[1].split(" ")) bytes.push(parseInt(h, 16));
  }
  if (bytes.length !== length) throw new Error(`qemu-io read ${bytes.length} of ${length} bytes from ${file}`);
  return Buffer.from(bytes);
}

function parseCounter(sector: Buffer): number | null {
  const m = /^SNAPDECK-COUNTER (\d+)\n/.exec(sector.toString("latin1"));
  return m ? Number(m[1]) : null;
}

/** The two counter sectors of a guest disk image (null: never written). */
export async function readCounters(diskFile: string): Promise<{ a: number | null; b: number | null }> {
  const [a, b] = await Promise.all([
    readDiskBytes(diskFile, COUNTER_A_OFFSET, 512),
    readDiskBytes(diskFile, COUNTER_B_OFFSET, 512),
  ]);
  return { a: parseCounter(a), b: parseCounter(b) };
}

/** Throws when some directory above `file` is not searchable by others (libvirt-qemu). */
async function assertReachable(file: string): Promise<void> {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const { mode } = await fs.stat(dir);
    if ((mode & 0o001) === 0)
      throw new Error(
        `${dir} (mode ${(mode & 0o777).toString(8)}) is not traversable by libvirt-qemu: chmod 0755 it (guestWorkDir() does)`,
      );
    if (dir === path.dirname(dir)) return;
  }
}

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

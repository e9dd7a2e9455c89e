// libvirt through its own command-line client. The npm `libvirt` binding does not compile
// on Node 20, and virsh speaks to any libvirtd the URI names (qemu:///system here,
// qemu+ssh://hv-01/system from elsewhere). Failures that an operator must act on get a
// stable code: libvirtd not answering is `hypervisor_unavailable`, an unknown domain is
// `domain_missing`; anything else keeps virsh's message (for the log only).
import "server-only";
import { execFile } from "node:child_process";
import { DriverError } from "@/lib/disks/driver";

export const DEFAULT_LIBVIRT_URI = "qemu:///system";
const TIMEOUT_MS = 30_000;

export class VirshError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = "VirshError";
  }
}

const UNAVAILABLE =
  /failed to connect to the hypervisor|Failed to connect socket|Cannot recv data|End of file while reading data|client socket is closed|virNetSocket|is libvirtd running/i;
const MISSING = /Domain not found|failed to get domain|no domain with matching/i;

function classify(args: string[], stderr: string, cause: Error): Error {
  const text = stderr.trim().replace(/\s+/g, " ") || cause.message;
  if ((cause as NodeJS.ErrnoException).code === "ENOENT")
    return new DriverError("hypervisor_unavailable", "virsh is not installed on this host (apt-get install libvirt-clients).");
  // A libvirtd that hangs is as unavailable as one that is down.
  if (UNAVAILABLE.test(text) || (cause as { killed?: boolean }).killed)
    return new DriverError(
      "hypervisor_unavailable",
      "The host's hypervisor (libvirtd) is not answering; try again once it runs.",
      {
        cause: new VirshError(`virsh ${args[0]}: ${text}`, stderr),
      },
    );
  if (MISSING.test(text))
    return new DriverError("domain_missing", "The server's virtual machine no longer exists on its host.", {
      cause: new VirshError(`virsh ${args[0]}: ${text}`, stderr),
    });
  return new VirshError(`virsh ${args[0]} failed: ${text}`, stderr);
}

export type Virsh = (args: string[], opts?: { timeoutMs?: number; signal?: AbortSignal }) => Promise<string>;

/** A virsh bound to one libvirt URI; each call is one process with a time limit. */
export function virshFor(uri: string | null | undefined): Virsh {
  const connect = uri || DEFAULT_LIBVIRT_URI;
  return (args, opts = {}) =>
    new Promise((resolve, reject) => {
      execFile(
        "virsh",
        ["-q", "-c", connect, ...args],
        { timeout: opts.timeoutMs ?? TIMEOUT_MS, signal: opts.signal, maxBuffer: 16 * 1024 * 1024, encoding: "utf8" },
        (err, stdout, stderr) => (err ? reject(classify(args, stderr, err)) : resolve(stdout)),
      );
    });
}

// The data plane's one interface. Drivers live one per file (local.ts, qemu.ts) and are
// chosen by SNAPDECK_DISK_DRIVER; nothing outside lib/disks knows how bytes are stored.
import "server-only";

export type ProgressFn = (percent: number) => void;

/** Arguments of a long-running driver call. */
export type OperationArgs = {
  serverId: number;
  snapshotId: number;
  onProgress: ProgressFn;
  signal?: AbortSignal;
  /**
   * Awaited right before the result becomes visible (manifest commit, disk rename); it
   * throws when the caller may no longer commit (its lease on the operation was lost).
   */
  beforeCommit?: () => Promise<void>;
  /** Restore: the target disk's size; a smaller snapshot (restored onto a bigger server) fills its start. */
  diskBytes?: number;
};

export type Range = { start: number; end: number };

/** Where a capture reads, when not the server's own disk (a libvirt backup job's copy). */
export type CaptureSource = {
  /** A raw image of the disk at the snapshot's moment. */
  file: string;
  /** The only byte ranges to read (sorted, disjoint); the rest is zeros, or the base's content. */
  ranges?: Range[];
  /**
   * With `ranges`: the server's newest completed snapshot (the one a create inherits from),
   * whose content the disk has outside `ranges`: an incremental capture reads only those.
   */
  baseSnapshotId?: number;
};

/** Where a restore writes, when not the server's own disk: a libvirt guest's image, in its format. */
export type RestoreTarget = { file: string; format: "raw" | "qcow2" };

export type SnapshotSize = {
  /** Bytes this snapshot added to the store (its share of new data, after dedupe). */
  storedBytes: number;
  /** Bytes the snapshot's data takes on its own (compressed), what `size_mb` reports. */
  sizeBytes: number;
  /** Bytes read from the disk, when the driver knows (qemu: an incremental reads only changed clusters). */
  readBytes?: number;
};

export interface DiskDriver {
  readonly name: "local" | "qemu";
  /** Path of the server's disk image. */
  diskPath(serverId: number): string;
  /** Creates an empty (sparse) disk of `sizeMb`; fails if one exists. */
  createDisk(serverId: number, sizeMb: number): Promise<void>;
  /** Captures the disk (or `source`) into the store; idempotent for a snapshot id (a retry starts over). */
  createSnapshot(args: OperationArgs & { source?: CaptureSource }): Promise<SnapshotSize>;
  /** Replaces the disk (or `target`) with the snapshot's content atomically, after verifying it. */
  restoreSnapshot(args: OperationArgs & { target?: RestoreTarget }): Promise<void>;
  /** True when the snapshot's data is complete in the store (its manifest is published), of `diskBytes` when given. */
  hasSnapshot(snapshotId: number, diskBytes?: number): Promise<boolean>;
  /** Removes the snapshot's stored data that no other snapshot uses. Missing is fine. */
  deleteSnapshot(snapshotId: number): Promise<void>;
  /** Bytes the snapshot occupies in the store (its share of new data). */
  storedSize(snapshotId: number): Promise<number>;
  /** Removes temporary files and partial snapshots left by a crash. */
  cleanupPartial(args: { serverId?: number; snapshotId?: number }): Promise<void>;
  /** Ids of snapshots that have any data in the store (the startup sweep lists them first). */
  storedSnapshotIds(): Promise<number[]>;
  /** Removes data no snapshot refers to any more (unreferenced chunks, dead temp files). */
  collectGarbage(): Promise<void>;
}

/** A failure the driver can explain to a tenant: a stable code and a sentence without internals. */
export class DriverError extends Error {
  constructor(
    public readonly code:
      "snapshot_corrupt" | "snapshot_missing" | "disk_in_use" | "hypervisor_unavailable" | "domain_missing" | "unsupported",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "DriverError";
  }
}

// What a tenant may read about a failure: a stable code and a sentence, whatever the raw
// error looked like (errno, nested causes, qemu-img's stderr, a path in the message).
import { describe, expect, it } from "vitest";
import { describeFailure } from "@/lib/jobs/failures";
import { DriverError } from "@/lib/disks/driver";

const errno = (code: string, message: string) => Object.assign(new Error(message), { code });

describe("describeFailure", () => {
  it.each([
    [errno("ENOSPC", "ENOSPC: no space left on device, write '/data/snapshots/chunks/ab/x.tmp'"), "storage_full"],
    [errno("EROFS", "EROFS: read-only file system, open '/data/snapshots/store.lock'"), "storage_read_only"],
    [errno("EIO", "EIO: i/o error, read"), "storage_io_error"],
    [new Error("outer", { cause: errno("EIO", "EIO: i/o error") }), "storage_io_error"],
    [new Error("qemu-img: error while writing at byte 0: No space left on device"), "storage_full"],
    [new Error("Cannot read properties of undefined (reading 'x') at /app/lib/whatever.ts"), "internal_error"],
  ])("%s → %s, with no path or errno in the sentence", (err, code) => {
    const failure = describeFailure(err, "snapshot_create");
    expect(failure.code).toBe(code);
    expect(failure.message).not.toMatch(/\/|E[A-Z]{3,}|qemu/);
  });

  it("keeps a driver's own code and sentence", () => {
    expect(
      describeFailure(new DriverError("snapshot_corrupt", "The snapshot's stored data is damaged."), "snapshot_restore"),
    ).toEqual({
      code: "snapshot_corrupt",
      message: "The snapshot's stored data is damaged.",
    });
  });

  it("says a failed restore left the disk unchanged", () => {
    expect(describeFailure(errno("ENOSPC", "x"), "snapshot_restore").message).toMatch(
      /^The restore failed .*disk was left unchanged/,
    );
  });
});

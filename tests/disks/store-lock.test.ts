// The chunk store's lock against what a crash or a full disk leaves behind: anything at the
// lock path that names no live holder is broken, so the store can never wedge on it.
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { breakIfStale, withStoreLock } from "@/lib/disks/store-lock";
import { writeFileAtomic } from "@/lib/disks/fs-util";

const dir = path.join(process.env.DATA_DIR!, "store-lock");
const lockPath = path.join(dir, "store.lock");

beforeEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
});

describe("store lock", () => {
  it("takes a free lock and leaves nothing behind", async () => {
    expect(await withStoreLock(lockPath, async () => (await fs.readlink(lockPath)).startsWith(`${process.pid}@`))).toBe(true);
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it("treats an empty lock file (what ENOSPC left behind) as stale", async () => {
    await fs.writeFile(lockPath, "");
    await expect(withStoreLock(lockPath, async () => "got it")).resolves.toBe("got it");
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it("treats an unreadable lock (garbage, a directory) as stale", async () => {
    await fs.writeFile(lockPath, "{not json");
    await expect(withStoreLock(lockPath, async () => 1)).resolves.toBe(1);
    await fs.mkdir(lockPath);
    await expect(withStoreLock(lockPath, async () => 2)).resolves.toBe(2);
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it("breaks the lock of a dead holder on this host but waits for a live one", async () => {
    await fs.symlink(`999999999@${os.hostname()}`, lockPath);
    await expect(withStoreLock(lockPath, async () => "after dead holder")).resolves.toBe("after dead holder");

    await fs.symlink(`${process.pid}@${os.hostname()}`, lockPath); // held by a live process: us
    await breakIfStale(lockPath);
    expect(await fs.readlink(lockPath)).toBe(`${process.pid}@${os.hostname()}`);
  });
});

describe("writeFileAtomic", () => {
  it("removes its temp file when the write cannot complete", async () => {
    const target = path.join(dir, "target");
    await fs.mkdir(path.join(target, "not-empty"), { recursive: true }); // rename onto it fails
    await expect(writeFileAtomic(target, "data")).rejects.toThrow();
    expect((await fs.readdir(dir)).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });
});

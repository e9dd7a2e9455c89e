// The backing file name recorded in a qcow2 header, read directly: the deletion of a
// snapshot scans every file of the store for the ones built on it, and one spawn of
// `qemu-img info` per file would cost more than the scan itself. Layout (big endian):
// magic "QFI\xfb", version u32, backing_file_offset u64, backing_file_size u32.
import "server-only";
import { open } from "node:fs/promises";

const MAGIC = 0x514649fb;

/** The backing file name as written (relative to the image's directory), or null. */
export async function backingFile(file: string): Promise<string | null> {
  const handle = await open(file, "r");
  try {
    const header = Buffer.alloc(20);
    const { bytesRead } = await handle.read(header, 0, 20, 0);
    if (bytesRead < 20 || header.readUInt32BE(0) !== MAGIC) throw new Error(`${file} is not a qcow2 image`);
    const offset = Number(header.readBigUInt64BE(8));
    const size = header.readUInt32BE(16);
    if (offset === 0 || size === 0) return null;
    const name = Buffer.alloc(size);
    await handle.read(name, 0, size, offset);
    return name.toString("utf8");
  } finally {
    await handle.close();
  }
}

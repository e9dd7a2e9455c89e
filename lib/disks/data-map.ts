// Where a sparse raw disk holds data, so a snapshot need not read gigabytes of holes.
// Node has no SEEK_DATA/SEEK_HOLE; `qemu-img map` asks the kernel exactly that (lseek on
// the file, which sees unflushed writes too) and is installed wherever the qemu driver is.
// Without it the whole disk is read: holes read as zeros, so the result is the same.
import "server-only";
import { runQemuImg } from "@/lib/disks/qemu-img";
import type { Range } from "@/lib/disks/driver";

export type { Range };

/**
 * Ranges of `file` that may hold non-zero bytes, widened to multiples of `align` and
 * merged, in order; null when the map cannot be had (read everything then).
 */
export async function dataRanges(file: string, size: number, align: number): Promise<Range[] | null> {
  let extents: { start: number; length: number; data: boolean }[];
  try {
    extents = JSON.parse(await runQemuImg(["map", "-U", "--output=json", "-f", "raw", file]));
  } catch {
    return null;
  }
  const ranges: Range[] = [];
  for (const e of extents) {
    if (!e.data) continue;
    const start = Math.floor(e.start / align) * align;
    const end = Math.min(size, Math.ceil((e.start + e.length) / align) * align);
    const last = ranges.at(-1);
    if (last && start <= last.end) last.end = Math.max(last.end, end);
    else ranges.push({ start, end });
  }
  return ranges;
}

// Run by memory.test.ts in its own process, so peak RSS belongs to the data plane alone:
// snapshot and restore a large sparse disk and print how much the peak RSS rose.
import { promises as fs } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createLocalDriver } from "@/lib/disks/local";
import { chunkRefs } from "@/lib/jobs/chunk-refs";
import { writeDemoContent } from "@/lib/disks/demo-content";

async function main() {
  const sizeMb = Number(process.argv[2] ?? 4096);
  const contentMb = Number(process.argv[3] ?? 256);
  const dataDir = mkdtempSync(path.join(tmpdir(), "snapdeck-mem-"));
  try {
    const driver = createLocalDriver({ dataDir, throughputMbps: 0, chunkIndex: chunkRefs });
    await driver.createDisk(1, sizeMb);
    await writeDemoContent(driver.diskPath(1), contentMb);
    global.gc?.();
    const baselineKb = process.resourceUsage().maxRSS;
    const started = Date.now();
    await driver.createSnapshot({ serverId: 1, snapshotId: 1, onProgress: () => {} });
    const snapshotMs = Date.now() - started;
    await driver.restoreSnapshot({ serverId: 1, snapshotId: 1, onProgress: () => {} });
    const peakKb = process.resourceUsage().maxRSS;
    console.log(
      JSON.stringify({
        sizeMb,
        contentMb,
        baselineMb: baselineKb / 1024,
        peakMb: peakKb / 1024,
        riseMb: (peakKb - baselineKb) / 1024,
        snapshotMs,
        totalMs: Date.now() - started,
      }),
    );
  } finally {
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

void main();

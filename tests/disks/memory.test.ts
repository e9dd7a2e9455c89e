// Memory stays flat whatever the disk size: snapshot + restore of a large sparse disk in
// a separate process must not raise its peak RSS by more than ~100 MB. The test uses
// 1 GiB to keep the suite quick; `tsx --conditions=react-server tests/disks/memory-probe.ts 4096 256` runs the 4 GiB
// case of the issue (measured: +31 MB).
import { execFileSync } from "node:child_process";
import path from "node:path";
import { expect, it } from "vitest";

it("snapshot and restore of a 1 GiB disk raise peak memory by less than 100 MB", () => {
  const root = path.resolve(__dirname, "../..");
  const out = execFileSync(
    path.join(root, "node_modules/.bin/tsx"),
    ["--conditions=react-server", "tests/disks/memory-probe.ts", "1024", "128"],
    {
      cwd: root,
      encoding: "utf8",
      timeout: 120_000,
    },
  );
  const result = JSON.parse(out.trim().split("\n").at(-1)!) as { riseMb: number };
  expect(result.riseMb).toBeLessThan(100);
}, 130_000);

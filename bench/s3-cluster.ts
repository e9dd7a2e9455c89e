// The data-plane part's S3 store: a throwaway one-host Ceph cluster of its own
// (scripts/s3/ceph.sh: mon + memstore OSD + RADOS Gateway on loopback) in the bench's work
// directory, one bucket, up for the part's duration. An interrupted benchmark takes it down
// too (run.ts runs `cleanups` on SIGINT/SIGTERM), since its daemons run in sessions of their own.
import { promises as fs } from "node:fs";
import path from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { cleanups, log, ROOT, run } from "./util";

export const S3_HOWTO = "apt-get install --no-install-recommends ceph-mon ceph-osd radosgw";

export type BenchS3 = {
  endpoint: string;
  bucket: string;
  /** The variables that put a child on `s3://bucket/prefix`. */
  env: (prefix: string) => Record<string, string>;
  down: () => Promise<void>;
};

/** null when the Ceph daemons are installed, else what is missing. */
export async function s3Missing(): Promise<string | null> {
  const missing: string[] = [];
  for (const tool of ["ceph-mon", "ceph-osd", "radosgw"])
    await run("sh", ["-c", `command -v ${tool}`]).catch(() => missing.push(tool));
  return missing.length ? `no ${missing.join(", ")}` : null;
}

/** Starts the cluster in `dir` and creates a bucket; `down` stops it and removes `dir`. */
export async function startBenchS3(dir: string): Promise<BenchS3> {
  const script = path.join(ROOT, "scripts/s3/ceph.sh");
  let stopped = false;
  const down = async () => {
    if (stopped) return;
    stopped = true;
    cleanups.delete(down);
    await run("bash", [script, "down", dir]).catch((err) => log(`ceph.sh down ${dir} failed: ${(err as Error).message}`));
  };
  cleanups.add(down);
  try {
    const started = performance.now();
    await run("bash", [script, "up", dir]);
    const vars = Object.fromEntries(
      [...(await fs.readFile(path.join(dir, "env"), "utf8")).matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]),
    );
    const endpoint = vars.SNAPDECK_TEST_S3_ENDPOINT!;
    const accessKeyId = vars.SNAPDECK_TEST_S3_ACCESS_KEY!;
    const secretAccessKey = vars.SNAPDECK_TEST_S3_SECRET_KEY!;
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true"; // as lib/disks/s3-blob-store.ts
    const client = new S3Client({
      endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId, secretAccessKey },
      // Ceph Pacific refuses the SDK's newer streamed checksums.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
    const bucket = "snapdeck-bench";
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    client.destroy();
    log(
      `data plane: Ceph S3 gateway at ${endpoint}, bucket ${bucket}, up in ${((performance.now() - started) / 1000).toFixed(1)}s`,
    );
    return {
      endpoint,
      bucket,
      env: (prefix) => ({
        SNAPDECK_STORE_URL: `s3://${bucket}/${prefix}`,
        SNAPDECK_S3_ENDPOINT: endpoint,
        SNAPDECK_S3_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: accessKeyId,
        AWS_SECRET_ACCESS_KEY: secretAccessKey,
      }),
      down,
    };
  } catch (err) {
    await down();
    throw err;
  }
}

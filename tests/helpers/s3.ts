// A real S3 store for the tests: the one-host Ceph cluster of scripts/s3/ceph.sh (its RADOS
// Gateway on loopback), named by the SNAPDECK_TEST_S3_* variables that `ceph.sh up` writes
// (.ci/run sources them). Each test file makes its own bucket. Suites skip, printing why,
// where there is no cluster, but never in CI (SNAPDECK_REQUIRE_S3).
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";

const endpoint = process.env.SNAPDECK_TEST_S3_ENDPOINT;
const accessKey = process.env.SNAPDECK_TEST_S3_ACCESS_KEY;
const secretKey = process.env.SNAPDECK_TEST_S3_SECRET_KEY;

export const S3_HOWTO = "start one with: bash scripts/s3/ceph.sh up /tmp/ceph && source /tmp/ceph/env";

/** null when the test cluster answers, else why the S3 suites skip (or fail, in CI). */
export async function s3SkipReason(file: string): Promise<string | null> {
  let reason: string | null = null;
  if (!endpoint || !accessKey || !secretKey) reason = `no S3 test store (SNAPDECK_TEST_S3_ENDPOINT unset); ${S3_HOWTO}`;
  else
    try {
      await fetch(endpoint, { signal: AbortSignal.timeout(3000) });
    } catch {
      reason = `the S3 test store at ${endpoint} does not answer; ${S3_HOWTO}`;
    }
  if (reason && (process.env.SNAPDECK_REQUIRE_S3 || process.env.CI)) throw new Error(`CI must run ${file}, but: ${reason}`);
  if (reason) console.warn(`${file} skipped: ${reason}`);
  return reason;
}

/** The variables that put a process (an agent, the CLI, this one) on the store at `url`. */
export function s3Env(url: string, secret = secretKey!): Record<string, string> {
  return {
    SNAPDECK_STORE_URL: url,
    SNAPDECK_S3_ENDPOINT: endpoint!,
    SNAPDECK_S3_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: accessKey!,
    AWS_SECRET_ACCESS_KEY: secret,
  };
}

export const testSecretKey = () => secretKey!;

export function s3TestClient(): S3Client {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true"; // as lib/disks/s3-blob-store.ts
  return new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: accessKey!, secretAccessKey: secretKey! },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

/** A new empty bucket; returns its name. */
export async function newBucket(tag: string): Promise<string> {
  const bucket = `snapdeck-${tag}-${randomBytes(4).toString("hex")}`;
  await s3TestClient().send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/** Applies s3Env to this process (its driver: seeding, checks, GC); returns the undo. */
export function applyS3Store(url: string): () => void {
  const env = s3Env(url);
  const before = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  return () => {
    for (const [k, v] of Object.entries(before))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  };
}

const ceph = (verb: string) =>
  execFileSync("bash", ["scripts/s3/ceph.sh", verb, process.env.SNAPDECK_TEST_CEPH_DIR!], { stdio: "pipe", timeout: 60_000 });
/** Kills the gateway (SIGKILL); the store is unreachable until gatewayStart. */
export const gatewayKill = () => ceph("rgw-stop");
export const gatewayStart = () => ceph("rgw-start");

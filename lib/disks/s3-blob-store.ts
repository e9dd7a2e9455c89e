// The blob store (blob-store.ts) on any S3-compatible object store: Ceph's RADOS Gateway,
// MinIO, AWS. Blobs are objects under `prefix/`. What the filesystem gets from renames, S3
// gets from single-request PUTs, which are atomic: an object is there whole or not at all.
// - a chunk is written once: a conditional PUT (If-None-Match: *) that finds the key taken
//   (412) leaves it alone, so two agents writing the same chunk never replace each other's;
// - a batch's chunks are visible when their PUT returns (publishesOnPut), so the chunk store
//   pins them in the database before it writes them (chunk-store.ts);
// - every failure to reach the store or to be let in (network, timeout, 5xx after the SDK's
//   retries, credentials, bucket) is a StoreUnavailableError: storage_unavailable to the
//   operation, a message that names the store and the S3 error, never a secret.
import "server-only";
import http from "node:http";
import https from "node:https";
import os from "node:os";
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  paginateListObjectsV2,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { StoreUnavailableError, type BlobStore } from "@/lib/disks/blob-store";

export type S3Options = {
  bucket: string;
  /** Key prefix without slashes at the ends; "" for the bucket's root. */
  prefix: string;
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
};

/** Requests in flight per store (a create's PUTs, a restore's read-ahead): 8 to 64 measured alike. */
const PARALLELISM = 16;
/**
 * 1 MiB chunks: each chunk is a request, and at 128 KiB the SDK's CPU per request (~1.5 ms
 * per GET here) made a restore 0.2–0.3× as fast as from a filesystem (docs/benchmarks.md).
 */
const CHUNK_SIZE = 1024 * 1024;
/** Keys per DeleteObjects request (S3's maximum). */
const DELETE_BATCH = 1000;
/** A multipart upload older than this was abandoned (Snapdeck itself writes single PUTs). */
const ABANDONED_UPLOAD_MS = 24 * 3600_000;

let requests = 0;
/** S3 requests this process has sent (the benchmark's requests per snapshot). */
export const s3RequestCount = () => requests;

export function createS3Client(options: S3Options): S3Client {
  // Node 20 is this project's runtime (package-lock pins the SDK): its multi-line notice
  // that later SDK versions need Node 22 would otherwise open every agent's log.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const agent = { keepAlive: true, maxSockets: PARALLELISM * 2 };
  const client = new S3Client({
    endpoint: options.endpoint,
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    // Credentials: the SDK's default chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY first).
    // Ceph Pacific refuses the newer streamed checksums (411): checksums only where required.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: 3,
    // A gateway that is gone is refused at once; one that hangs is given up in seconds.
    requestHandler: new NodeHttpHandler({
      connectionTimeout: 3_000,
      requestTimeout: 20_000,
      httpAgent: new http.Agent(agent),
      httpsAgent: new https.Agent(agent),
    }),
  });
  client.middlewareStack.add(
    (next) => (args) => {
      requests++;
      return next(args);
    },
    { step: "finalizeRequest", name: "snapdeckRequestCount" },
  );
  return client;
}

type S3Error = { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
const statusOf = (err: unknown) => (err as S3Error)?.$metadata?.httpStatusCode;
const isNotFound = (err: unknown) => statusOf(err) === 404 && ["NoSuchKey", "NotFound"].includes((err as S3Error).name ?? "");

export function createS3BlobStore(
  options: S3Options,
  client = createS3Client(options),
  /** Tests: how old an unfinished multipart upload must be for the sweep to abort it. */
  abandonedUploadMs = ABANDONED_UPLOAD_MS,
): BlobStore {
  const { bucket } = options;
  const base = options.prefix ? `${options.prefix}/` : "";
  const location = `s3://${bucket}/${options.prefix}`;
  const Key = (key: string) => base + key;

  /** The SDK's error reduced to what may be logged: store, operation, S3 code, status. */
  function unavailable(op: string, key: string, err: unknown): StoreUnavailableError {
    const e = err as S3Error;
    const status = statusOf(err);
    const what = e?.code ?? e?.name ?? "error";
    return new StoreUnavailableError(`${location}: ${op} ${key} failed: ${what}${status ? ` (HTTP ${status})` : ""}`);
  }

  async function send<T>(op: string, key: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw unavailable(op, key, err);
    }
  }

  const putOnce = async (key: string, data: Buffer) => {
    try {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: Key(key), Body: data, IfNoneMatch: "*" }));
    } catch (err) {
      // Taken: the same content (a content-addressed key) written by someone else first.
      // 409: a conditional PUT racing another one on the same key (AWS's answer).
      if (statusOf(err) === 412 || statusOf(err) === 409) return;
      throw unavailable("PUT", key, err);
    }
  };

  return {
    location,
    publishesOnPut: true,
    parallelism: PARALLELISM,
    chunkSize: CHUNK_SIZE,

    put: (key, data) =>
      send("PUT", key, () => client.send(new PutObjectCommand({ Bucket: bucket, Key: Key(key), Body: data }))).then(() => {}),

    batch: () => ({ put: putOnce, commit: async () => {}, abort: async () => {} }),

    async get(key) {
      try {
        const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: Key(key) }));
        return Buffer.from(await res.Body!.transformToByteArray());
      } catch (err) {
        if (isNotFound(err)) return null;
        throw unavailable("GET", key, err);
      }
    },

    async size(key) {
      try {
        return (await client.send(new HeadObjectCommand({ Bucket: bucket, Key: Key(key) }))).ContentLength ?? 0;
      } catch (err) {
        // HEAD has no body: a 404 is "no such key" (a missing bucket fails the next PUT).
        if (statusOf(err) === 404) return null;
        throw unavailable("HEAD", key, err);
      }
    },

    delete: (key) =>
      send("DELETE", key, () => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: Key(key) }))).then(() => {}),

    async deleteMany(keys) {
      for (let i = 0; i < keys.length; i += DELETE_BATCH) {
        const slice = keys.slice(i, i + DELETE_BATCH);
        const res = await send("DELETE", `${slice.length} keys`, () =>
          client.send(
            new DeleteObjectsCommand({
              Bucket: bucket,
              Delete: { Objects: slice.map((k) => ({ Key: Key(k) })), Quiet: true },
            }),
          ),
        );
        const failed = (res.Errors ?? []).filter((e) => e.Code !== "NoSuchKey");
        if (failed.length)
          throw new StoreUnavailableError(`${location}: DELETE of ${failed.length} keys failed: ${failed[0]!.Code}`);
      }
    },

    async list(prefix) {
      const out: string[] = [];
      await send("LIST", prefix, async () => {
        // 1,000 keys per page; the paginator follows the continuation tokens.
        for await (const page of paginateListObjectsV2({ client }, { Bucket: bucket, Prefix: Key(prefix) }))
          for (const object of page.Contents ?? []) if (object.Key) out.push(object.Key.slice(base.length));
      });
      return out;
    },

    async removeAbandoned(prefix) {
      const before = Date.now() - abandonedUploadMs;
      await send("LIST uploads", prefix, async () => {
        let marker: { KeyMarker?: string; UploadIdMarker?: string } = {};
        for (;;) {
          const page = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: Key(prefix), ...marker }));
          for (const upload of page.Uploads ?? [])
            if (upload.Key && upload.UploadId && (upload.Initiated?.getTime() ?? 0) < before)
              await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }));
          if (!page.IsTruncated) return;
          marker = { KeyMarker: page.NextKeyMarker, UploadIdMarker: page.NextUploadIdMarker };
        }
      });
    },

    async probe() {
      const key = `probes/${os.hostname()}.${process.pid}`;
      await send("PUT", key, () => client.send(new PutObjectCommand({ Bucket: bucket, Key: Key(key), Body: "probe\n" })));
      await send("DELETE", key, () => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: Key(key) })));
    },
  };
}

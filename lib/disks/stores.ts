// Which snapshot store this process uses: SNAPDECK_STORE_URL (lib/config.ts), `file:///path`
// (a directory: a local disk or a shared mount) or `s3://bucket/prefix` (any S3-compatible
// object store, SNAPDECK_S3_* and the AWS_* credentials). Every agent of a fleet names the
// same store; the database holds which snapshot references which chunk (chunk-store.ts).
import "server-only";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { config, getStoreUrl } from "@/lib/config";
import { createFsBlobStore, type BlobStore } from "@/lib/disks/blob-store";
import { createS3BlobStore, type S3Options } from "@/lib/disks/s3-blob-store";

export type StoreLocation = { kind: "file"; root: string } | ({ kind: "s3" } & S3Options);

/** Parses a store URL; throws a message naming the setting for anything else. */
export function parseStoreUrl(raw: string): StoreLocation {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`SNAPDECK_STORE_URL must be file:///path or s3://bucket/prefix, got "${raw}"`);
  }
  if (url.protocol === "file:") return { kind: "file", root: path.resolve(fileURLToPath(url)) };
  if (url.protocol === "s3:" && url.hostname && !url.username && !url.password && !url.search)
    return {
      kind: "s3",
      bucket: url.hostname,
      prefix: decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, ""),
      endpoint: config.s3Endpoint,
      region: config.s3Region,
      forcePathStyle: config.s3ForcePathStyle,
    };
  // Never echo a URL that might hold credentials (s3://key:secret@bucket).
  throw new Error(
    `SNAPDECK_STORE_URL must be file:///path or s3://bucket/prefix (credentials go in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), got a ${url.protocol} URL`,
  );
}

export function openBlobStore(location: StoreLocation): BlobStore {
  return location.kind === "file" ? createFsBlobStore(location.root) : createS3BlobStore(location);
}

let cached: { key: string; blobs: BlobStore } | undefined;

/** The configured store, one per process (S3: one client with its connection pool). */
export function getBlobStore(): BlobStore {
  const url = getStoreUrl();
  const key = JSON.stringify([url, config.s3Endpoint, config.s3Region, config.s3ForcePathStyle]);
  if (cached?.key !== key) cached = { key, blobs: openBlobStore(parseStoreUrl(url)) };
  return cached.blobs;
}

/**
 * The configured store's name for /api/health: an S3 store's URL (no secret in it); none for
 * a directory, whose path is nobody's business outside the host.
 */
export function describeStore(): string | null {
  try {
    const location = parseStoreUrl(getStoreUrl());
    return location.kind === "file" ? null : `s3://${location.bucket}/${location.prefix}`;
  } catch {
    return null;
  }
}

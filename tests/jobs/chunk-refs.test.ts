// The chunk references against garbage collection (tests/helpers/chunk-refs-suite.ts) on a
// filesystem store; tests/s3 runs the same on an S3 bucket.
import path from "node:path";
import { createFsBlobStore } from "@/lib/disks/blob-store";
import { chunkRefsSuite } from "../helpers/chunk-refs-suite";

chunkRefsSuite("chunk references vs garbage collection (filesystem store)", async () =>
  createFsBlobStore(path.join(process.env.DATA_DIR!, "race-store")),
);

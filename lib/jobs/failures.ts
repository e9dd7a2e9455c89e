// What a tenant sees when an operation fails: a stable code and a sentence, never a path,
// an errno text or a driver message. The raw error goes to the log with the operation id
// (runner.ts); this file only decides what may be shown.
import "server-only";
import { DriverError } from "@/lib/disks/driver";
import { StoreUnavailableError } from "@/lib/disks/blob-store";
import { isOperationKind, OPERATION_KIND_INFO } from "@/lib/schemas/operation-kinds";
import type { FailureCode } from "@/lib/schemas/failure-codes";

export type Failure = { code: FailureCode; message: string };

/** A failure whose code and sentence are already known (no classification needed). */
export class OperationFailure extends Error {
  constructor(
    public readonly code: FailureCode,
    message: string,
  ) {
    super(message);
    this.name = "OperationFailure";
  }
}

const ERRNO: Record<string, FailureCode> = {
  ENOSPC: "storage_full",
  EDQUOT: "storage_full",
  EROFS: "storage_read_only",
  EACCES: "storage_read_only",
  EPERM: "storage_read_only",
  EIO: "storage_io_error",
  ENXIO: "storage_io_error",
  EBADMSG: "storage_io_error",
};

// qemu-img reports the same conditions as text on stderr.
const TEXT: [RegExp, FailureCode][] = [
  [/No space left on device|Disk quota exceeded/i, "storage_full"],
  [/Read-only file system|Permission denied/i, "storage_read_only"],
  [/Input\/output error/i, "storage_io_error"],
];

function sentence(code: FailureCode, kind: string | null): string {
  const info = kind !== null && isOperationKind(kind) ? OPERATION_KIND_INFO[kind] : null;
  const what = info?.subject ?? "The operation";
  const unchanged = info?.restore ? " The server's disk was left unchanged." : "";
  switch (code) {
    case "storage_full":
      return `${what} failed because the storage is full.${unchanged} Free space (for example by deleting old snapshots) and try again.`;
    case "storage_read_only":
      return `${what} failed because the storage cannot be written at the moment.${unchanged} Try again once it is writable.`;
    case "storage_unavailable":
      return `${what} failed because the snapshot store could not be reached.${unchanged} Try again once it is back; nothing was half-saved.`;
    case "storage_io_error":
      return `${what} failed because the storage reported a read or write error.${unchanged} Try again; if it keeps failing, contact the operator.`;
    case "interrupted":
      return `${what} was interrupted too often (its worker stopped or crashed) and was given up.${unchanged}`;
    default:
      return `${what} failed because of an internal error.${unchanged} The details are in the server log.`;
  }
}

export function describeFailure(err: unknown, kind: string | null): Failure {
  if (err instanceof OperationFailure || err instanceof DriverError) return { code: err.code, message: err.message };
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof StoreUnavailableError) return failureOf("storage_unavailable", kind);
    const errno = (e as NodeJS.ErrnoException).code;
    const code = (typeof errno === "string" && ERRNO[errno]) || TEXT.find(([re]) => re.test(String((e as Error).message)))?.[1];
    if (code) return { code, message: sentence(code, kind) };
  }
  return { code: "internal_error", message: sentence("internal_error", kind) };
}

export function failureOf(code: FailureCode, kind: string | null): Failure {
  return { code, message: sentence(code, kind) };
}

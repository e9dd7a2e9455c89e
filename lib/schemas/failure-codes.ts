// The stable codes of a failed operation (a snapshot's or an operation's error_code). Here,
// below lib/jobs, so the response schemas can name them; lib/jobs/failures.ts decides which
// code and sentence a failure gets.
export const FAILURE_CODES = [
  "storage_full",
  "storage_read_only",
  "storage_io_error",
  "storage_unavailable",
  "snapshot_corrupt",
  "snapshot_missing",
  "disk_in_use",
  "hypervisor_unavailable",
  "domain_missing",
  "shutdown_timeout",
  "unsupported",
  "interrupted",
  "internal_error",
] as const;
export type FailureCode = (typeof FAILURE_CODES)[number];

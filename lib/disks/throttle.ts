// Optional throughput cap (SNAPDECK_DISK_THROUGHPUT_MBPS) so demos show long operations.
// It sleeps just enough that the bytes handed so far never exceed the rate since start.
import "server-only";
import { setTimeout as sleep } from "node:timers/promises";

export type Throttle = (bytes: number, signal?: AbortSignal) => Promise<void>;

export function createThrottle(mbps: number): Throttle {
  if (!mbps || mbps <= 0) return async () => {};
  const bytesPerMs = (mbps * 1024 * 1024) / 1000;
  const start = Date.now();
  let total = 0;
  return async (bytes, signal) => {
    total += bytes;
    const due = start + total / bytesPerMs;
    const wait = due - Date.now();
    if (wait > 1) await sleep(wait, undefined, { signal });
  };
}

// Bounded concurrency for the chunk loops: at most `limit` tasks in flight, the first
// failure is rethrown by the next run()/drain(), and settle() waits for stragglers so
// cleanup never races a write still in progress.
import "server-only";

export function createPool(limit: number) {
  const running = new Set<Promise<void>>();
  let failure: unknown = null;

  function check() {
    if (failure) throw failure;
  }

  return {
    async run(task: () => Promise<unknown>): Promise<void> {
      check();
      while (running.size >= limit) {
        await Promise.race(running);
        check();
      }
      const p: Promise<void> = task()
        .then(() => {})
        .catch((err) => void (failure ??= err))
        .finally(() => running.delete(p));
      running.add(p);
    },
    async drain() {
      await Promise.all(running);
      check();
    },
    async settle() {
      await Promise.all(running);
    },
  };
}

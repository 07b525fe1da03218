// What every e2e test file shares: timings of its setup steps, and an ending that stops everything the
// lab started and fails the file if anything could not be stopped.
import { afterAll, expect } from "vitest";
import { cleanupAll, pendingCleanups } from "../../tools/src/local/lab/index.ts";

export function stopwatch(): {
  timings: Record<string, number>;
  timed<T>(label: string, fn: () => Promise<T>): Promise<T>;
} {
  const timings: Record<string, number> = {};
  return {
    timings,
    async timed(label, fn) {
      const t0 = Date.now();
      try {
        return await fn();
      } finally {
        timings[label] = Date.now() - t0;
      }
    },
  };
}

/** Registers the file's afterAll: tear down the lab, print the timings, and assert nothing was left behind. */
export function cleanEnd(label: string, timings?: Record<string, number>): void {
  afterAll(async () => {
    const failures = await cleanupAll();
    if (timings) console.log(`${label} timings (ms):`, JSON.stringify(timings));
    expect(failures).toEqual([]);
    expect(pendingCleanups()).toEqual([]);
  }, 60_000);
}

// What every e2e test file shares: timings of its setup steps, and an ending that stops everything the
// lab started and fails the file if anything could not be stopped.
import { afterAll, expect } from "vitest";
import { cleanupAll, pendingCleanups } from "../../tools/src/local/lab/index.ts";
import type { RunningEnvoy } from "../../tools/src/local/envoy.ts";

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

/** The fields of the chart's access log line (envoy.accessLog) that the e2e tests read. */
export interface AccessLogLine {
  service: string;
  response_flags: string;
  duration_ms: number;
  bytes_sent: number;
}

/** The access log lines Envoy has written so far for one service (the chart logs JSON, one line a connection). */
export function accessLog(envoy: RunningEnvoy, service: string): AccessLogLine[] {
  const lines = envoy.log().split("\n");
  lines.pop(); // "" after the last newline, or a line Envoy is still writing
  return lines
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as AccessLogLine)
    .filter((l) => l.service === service);
}

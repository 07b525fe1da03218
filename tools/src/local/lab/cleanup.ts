// Global cleanup registry. Everything the lab creates (processes, temp dirs, servers) registers a
// teardown here. cleanupAll() runs them newest-first; on SIGINT/SIGTERM the same happens before the
// process exits, and at 'exit' the synchronous emergency hooks (SIGKILL process groups, rm -rf temp
// dirs) run for anything still registered. Namespaces and mounts made with unshare need no hook of
// their own: they vanish with the last process inside them.

export interface CleanupHandle {
  readonly label: string;
  /** Forget this entry (call once its resource has been torn down some other way). */
  release(): void;
}

interface Entry {
  id: number;
  label: string;
  run: () => Promise<void> | void;
  emergency: (() => void) | undefined;
}

const entries: Entry[] = [];
let nextId = 1;
let hooksInstalled = false;

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  let stopping = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    // Ctrl-C reaches every process of the terminal's group, and wrappers (npm, tsx) relay it again: a second
    // signal must not kill us halfway through the cleanup.
    if (stopping) return;
    stopping = true;
    const code = sig === "SIGINT" ? 130 : 143;
    const hardStop = setTimeout(() => process.exit(code), 15_000);
    hardStop.unref();
    void cleanupAll().finally(() => process.exit(code));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.once("exit", () => {
    for (const e of entries.splice(0).reverse()) {
      try {
        e.emergency?.();
      } catch {
        // best effort at exit
      }
    }
  });
}

/**
 * Register a teardown. `run` is the graceful path used by cleanupAll(); `emergency` must be
 * synchronous and is the last resort at process exit (e.g. SIGKILL a process group).
 */
export function onCleanup(label: string, run: () => Promise<void> | void, emergency?: () => void): CleanupHandle {
  installHooks();
  const entry: Entry = { id: nextId++, label, run, emergency };
  entries.push(entry);
  return {
    label,
    release: () => {
      const i = entries.findIndex((e) => e.id === entry.id);
      if (i >= 0) entries.splice(i, 1);
    },
  };
}

export interface CleanupFailure {
  label: string;
  error: string;
}

/** Run every registered teardown, newest first. Never throws; returns what failed. */
export async function cleanupAll(): Promise<CleanupFailure[]> {
  const failures: CleanupFailure[] = [];
  while (entries.length > 0) {
    const e = entries.pop();
    if (e === undefined) break;
    try {
      await e.run();
    } catch (err) {
      failures.push({ label: e.label, error: err instanceof Error ? err.message : String(err) });
      try {
        e.emergency?.();
      } catch {
        // already reporting a failure for this entry
      }
    }
  }
  return failures;
}

/** Labels still registered (for leak assertions in tests). */
export function pendingCleanups(): string[] {
  return entries.map((e) => e.label);
}

/**
 * Timings that no option sets but that are defaults all the same: every sampling and polling
 * period of the tool, here beside the options' own defaults.
 */

/** How often the process is sampled for resources.csv (per-thread CPU, RSS, I/O). */
export const RESOURCE_INTERVAL_MS = 250;

/** How often hosts are sampled for hosts.csv, unless --host-interval says otherwise. */
export const HOST_INTERVAL_MS = 250;

/** How often convert and speedtest report progress (the progress line, `onProgress`). */
export const PROGRESS_INTERVAL_MS = 250;

/** How often the cluster driver checks that its Redis connections are still up. */
export const REDIS_WATCHDOG_INTERVAL_MS = 250;

/** A worker thread of the local pool idle this long ends (the pool keeps at least --workers threads). */
export const POOL_IDLE_TIMEOUT_MS = 60_000;

/**
 * How long a pool being closed waits at most for a thread still loading its code (src/pool/thread-start.ts):
 * a thread loads in about 0.1 s, a few seconds on a loaded machine.
 */
export const THREAD_START_LIMIT_MS = 60_000;

/** How often a cluster worker sends a running job's progress (images, kilobytes) to the driver. */
export const JOB_PROGRESS_INTERVAL_MS = 500;

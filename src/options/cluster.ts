/**
 * Cluster mode's defaults that no option sets: where a Redis URL without host or port points, and
 * every timeout, retry and lifetime of the driver and the workers (src/cluster/). The options a
 * user can set (--lock-ms, --sample-buffer, --host-interval) keep their defaults in
 * src/options/worker.ts and src/options/hosts.ts.
 */

/** `redis://` without a host or a port. */
export const REDIS_DEFAULT_HOST = '127.0.0.1';
export const REDIS_DEFAULT_PORT = 6379;

export const CLUSTER_TIMEOUTS = {
  /** The driver gives up on a Redis that does not answer after this (one clear error, not a hang). */
  driverConnectMs: 5000,
  /** A worker waits this long for Redis at start-up. */
  workerConnectMs: 10_000,
  /** A killed worker's --name and thread numbers are free again after this (their keys' lifetime). */
  nameClaimMs: 15_000,
  /** A worker's shutdown waits this long for its queues to close (without Redis they never would). */
  workerCloseMs: 10_000,
  /** Closing the driver's queues, releasing a worker's name, withdrawing a stage's jobs: at most this long. */
  closeMs: 2000,
  /** A worker's host samples still unsent at its shutdown: sent for at most this long. */
  sampleFlushOnStopMs: 2000,
  /** The driver's host feed waits this long for the workers' last batches after a run. */
  hostFeedDrainMs: 3000,
  /** Without a ready connection to Redis this long, the driver gives up (one clear error, exit 3). */
  redisLostAfterMs: 5000,
  /** The shortest interval of BullMQ's stalled-job check (otherwise half the job lock). */
  minStalledIntervalMs: 1000,
  /** A worker re-measures its clock offset to Redis this often. */
  clockCheckMs: 10_000,
} as const;

/** Job retries: attempts in all, BullMQ's exponential backoff from this first delay, and how long finished jobs stay in Redis. */
export const JOB_ATTEMPTS = 4;
export const JOB_BACKOFF_MS = 1000;
export const KEEP_COMPLETED_JOBS_S = 3600;
export const KEEP_FAILED_JOBS_S = 24 * 3600;
/** A stalled job is handed to another worker at most this many times before it fails. */
export const MAX_STALLED_COUNT = 3;

/** Host samples: how often a worker sends its batch, and how often the driver reads the stream. */
export const HOST_SEND_INTERVAL_MS = 500;
export const HOST_FEED_POLL_MS = 500;
/** Clock-offset probes a worker makes (the one with the shortest round trip counts). */
export const CLOCK_PROBES = 3;

/**
 * Host samples from workers to the driver over a Redis stream. The worker side never blocks work:
 * rows wait in a bounded buffer and go out in one XADD every `flushMs`, one command in flight at a
 * time; while Redis is slow or paused the buffer fills and its oldest rows are dropped and counted.
 * The driver reads the stream while the run lasts and places each row on its own clock, using each
 * host's clock offset measured against Redis's TIME (the same reference for every host).
 */
import type { Redis } from 'ioredis';
import type { HostRow } from '../hosts/rates.js';
import type { SamplerCost } from '../hosts/sampler.js';
import type { HostFeed, RemoteHost } from '../hosts/host-feed.js';
import { PREFIX } from './redis.js';
import { CLOCK_PROBES, CLUSTER_TIMEOUTS, HOST_FEED_POLL_MS, HOST_SEND_INTERVAL_MS } from '../options/cluster.js';
import { SAMPLE_BUFFER_ROWS } from '../options/worker.js';

export const HOST_STREAM = `${PREFIX}:hosts`;
/** The stream keeps about this many batches (a few minutes of a large cluster); older ones are trimmed. */
const STREAM_MAX_BATCHES = 5000;

export interface HostBatch {
  host: string;
  /** The worker's process id: with `machine`, it ties task results (thread "machine/pid/thread") to this host. */
  pid?: number;
  role: HostRow['role'];
  machine: string;
  /** Add to this host's clock to get Redis's (midpoint estimate), and the round trip it came from. */
  offsetMs: number;
  rttMs: number;
  /** Rows dropped since the worker started because Redis could not take them in time. */
  dropped: number;
  cost: SamplerCost;
  missing: string[];
  linkBytesPerSecond: number | null;
  rows: HostRow[];
}

/** Host clock to Redis clock: TIME's midpoint, best (shortest round trip) of `tries`. */
export async function clockOffset(redis: Redis, tries: number = CLOCK_PROBES): Promise<{ offsetMs: number; rttMs: number }> {
  let best = { offsetMs: 0, rttMs: Infinity };
  for (let i = 0; i < tries; i++) {
    const t0 = Date.now();
    const [seconds, micros] = (await redis.time()) as [string | number, string | number];
    const t1 = Date.now();
    const redisMs = Number(seconds) * 1000 + Number(micros) / 1000;
    if (t1 - t0 < best.rttMs) best = { offsetMs: redisMs - (t0 + t1) / 2, rttMs: t1 - t0 };
  }
  return best;
}

export interface HostSenderOptions {
  redis: Redis;
  host: string;
  machine: string;
  /** Rows kept while they cannot be sent; beyond it the oldest are dropped. */
  maxPending?: number;
  flushMs?: number;
  cost: () => SamplerCost;
  missing: () => string[];
  linkBytesPerSecond: () => number | null;
}

/** The worker's side: `push` each row; batches leave on a timer, never more than one in flight. */
export class HostSender {
  private pending: HostRow[] = [];
  private inFlight = false;
  private timer?: NodeJS.Timeout;
  private clock = { offsetMs: 0, rttMs: Infinity };
  private lastClockCheck = 0;
  dropped = 0;
  sentBatches = 0;

  constructor(private readonly options: HostSenderOptions) {}

  start(): this {
    this.timer = setInterval(() => void this.flush(), this.options.flushMs ?? HOST_SEND_INTERVAL_MS);
    this.timer.unref();
    return this;
  }

  push(row: HostRow): void {
    this.pending.push(row);
    const max = this.options.maxPending ?? SAMPLE_BUFFER_ROWS;
    if (this.pending.length > max) {
      this.dropped += this.pending.length - max;
      this.pending.splice(0, this.pending.length - max);
    }
  }

  async flush(): Promise<void> {
    if (this.inFlight || this.pending.length === 0) return;
    this.inFlight = true;
    try {
      // The offset drifts slowly: measured again every 10 s, on the same connection as the batches.
      if (Date.now() - this.lastClockCheck > CLUSTER_TIMEOUTS.clockCheckMs) {
        this.clock = await clockOffset(this.options.redis);
        this.lastClockCheck = Date.now();
      }
      const rows = this.pending;
      this.pending = [];
      const batch: HostBatch = { host: this.options.host, pid: process.pid, role: 'worker', machine: this.options.machine, ...this.clock, dropped: this.dropped, cost: this.options.cost(), missing: this.options.missing(), linkBytesPerSecond: this.options.linkBytesPerSecond(), rows };
      try {
        await this.options.redis.xadd(HOST_STREAM, 'MAXLEN', '~', STREAM_MAX_BATCHES, '*', 'batch', JSON.stringify(batch));
        this.sentBatches++;
      } catch {
        // Redis refused (OOM, gone): those rows are lost, and counted.
        this.dropped += rows.length;
      }
    } catch {
      // TIME failed: try again on the next tick.
    } finally {
      this.inFlight = false;
    }
  }

  /** Sends what is left (best effort, at most `ms`), then stops. */
  async stop(ms: number = CLUSTER_TIMEOUTS.sampleFlushOnStopMs): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.race([this.flush(), new Promise((resolve) => setTimeout(resolve, ms).unref())]);
  }
}

export type { HostFeed, RemoteHost } from '../hosts/host-feed.js';

/** A batch from the stream's fields, or undefined when it is not one of ours. */
export function parseBatch(fields: string[]): HostBatch | undefined {
  const at = fields.indexOf('batch');
  if (at < 0 || at % 2 !== 0) return undefined;
  let batch: HostBatch;
  try {
    batch = JSON.parse(fields[at + 1]);
  } catch {
    return undefined;
  }
  const ok = batch && typeof batch.host === 'string' && typeof batch.offsetMs === 'number' && Number.isFinite(batch.offsetMs) && Array.isArray(batch.rows) && batch.rows.every((r) => r && typeof r.t_ms === 'number');
  return ok ? { ...batch, role: 'worker', rttMs: Number(batch.rttMs) || 0, dropped: Number(batch.dropped) || 0, missing: Array.isArray(batch.missing) ? batch.missing : [] } : undefined;
}

/** Rows come back with `t_ms` on the driver's clock (epoch ms), not yet relative to the run. */
export async function startHostFeed(redis: Redis, pollMs: number = HOST_FEED_POLL_MS): Promise<HostFeed> {
  const driverClock = await clockOffset(redis);
  const redisNow = Date.now() + driverClock.offsetMs;
  // Batches sent a little before the start may hold rows of the run's first moments.
  let lastId = `${Math.floor(redisNow - 2000)}-0`;
  const rows: HostRow[] = [];
  const hosts = new Map<string, RemoteHost>();
  let reading: Promise<void> | undefined;
  let malformed = 0;

  const read = async () => {
    for (;;) {
      const entries = (await redis.xrange(HOST_STREAM, `(${lastId}`, '+', 'COUNT', 500)) as [string, string[]][];
      for (const [id, fields] of entries) {
        lastId = id;
        const batch = parseBatch(fields);
        if (!batch) {
          // Another program's entry, or a different version's: skipped and counted, never a crash.
          malformed++;
          continue;
        }
        const clockOffsetMs = batch.offsetMs - driverClock.offsetMs;
        hosts.set(batch.host, {
          host: batch.host, pid: typeof batch.pid === 'number' ? batch.pid : undefined, role: batch.role, machine: batch.machine, clockOffsetMs, clockRttMs: batch.rttMs + driverClock.rttMs,
          droppedSinceWorkerStart: batch.dropped, sampler: batch.cost, missingSources: batch.missing, linkBytesPerSecond: batch.linkBytesPerSecond ?? null,
        });
        for (const row of batch.rows) rows.push({ ...row, t_ms: row.t_ms + clockOffsetMs });
      }
      if (entries.length < 500) return;
    }
  };
  const tick = () => {
    // One read at a time: a slow Redis delays the feed, never piles up commands.
    if (!reading) reading = read().catch(() => undefined).finally(() => (reading = undefined));
  };
  const timer = setInterval(tick, pollMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());
      // The workers' last batches (one flush interval), then a final read; at most hostFeedDrainMs if Redis is stuck.
      await wait(pollMs + 200);
      await Promise.race([(async () => {
        await reading;
        await read();
      })().catch(() => undefined), wait(CLUSTER_TIMEOUTS.hostFeedDrainMs)]);
      return { rows, hosts: [...hosts.values()], malformedBatches: malformed };
    },
  };
}

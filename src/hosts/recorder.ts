/**
 * A run's host recording: this process's sampler plus (cluster mode) the workers' rows from the
 * executor's feed, placed on one time axis (`t_ms`: ms since the run's start on this process's
 * clock), with alarms evaluated and the cost worked out at the end.
 */
import { hostname } from 'node:os';
import type { HostFeed, RemoteHost } from './host-feed.js';
import { evaluateAlarms, type Alarm, type AlarmEvent } from './alarms.js';
import type { HostRow } from './rates.js';
import { HostSampler, type SamplerCost } from './sampler.js';

export interface HostRecordingOptions {
  role: 'local' | 'driver';
  /** Epoch ms the run's other times are relative to (tasks.csv's start_ms). */
  runStartMs: number;
  intervalMs?: number;
  alarms?: readonly Alarm[];
  pricePerWorkerHour?: number;
  /** Prices of named hosts (a worker's --name, or this host's hostname), per hour: they override pricePerWorkerHour and bill a driver too. */
  pricePerHost?: Record<string, number>;
  /** Cluster mode: the workers' samples. */
  feed?: HostFeed;
}

export interface HostInfo extends Omit<RemoteHost, 'droppedSinceWorkerStart'> {
  rows: number;
  /** From the start of the host's first sampled interval to its last sample. */
  wallSeconds: number;
  /** Rows a worker could not send (Redis slow or paused), since the worker started; 0 for this process. */
  droppedSamples: number;
}

export interface CostFigure {
  pricePerWorkerHour: number | null;
  /** Hosts billed: the workers in cluster mode (the driver is not a worker), this host locally, and any host given a price by name. */
  hosts: string[];
  hostHours: number;
  cost: number;
  /** Each billed host: its hours, price and cost. */
  perHost: { host: string; hours: number; pricePerHour: number; cost: number }[];
  /** Hosts priced by name that sent no samples in this run (a misspelt name, say). */
  unmatched: string[];
}

export interface HostRecording {
  intervalMs: number;
  /** Stream entries that were not host batches (skipped). */
  malformedBatches: number;
  rows: HostRow[];
  hosts: HostInfo[];
  alarms: AlarmEvent[];
  cost?: CostFigure;
}

export function startHostRecording(options: HostRecordingOptions): { stop(): Promise<HostRecording> } {
  const sampler = new HostSampler({ host: hostname(), role: options.role, intervalMs: options.intervalMs }).start();
  return {
    async stop() {
      sampler.stop();
      const remote = options.feed ? await options.feed.stop() : { rows: [], hosts: [], malformedBatches: 0 };
      const since = (rows: readonly HostRow[]) => rows.map((r) => ({ ...r, t_ms: r.t_ms - options.runStartMs }));
      const own = since(sampler.rows);
      // Remote rows from before the run (the stream is read from a little before its start) are left out.
      // and so are rows after it (the feed waits a moment for the workers' last batches).
      const endMs = own.length ? own[own.length - 1].t_ms + sampler.intervalMs : Infinity;
      const theirs = since(remote.rows).filter((r) => r.t_ms > 0 && r.t_ms <= endMs);
      const rows = [...own, ...theirs].sort((a, b) => a.t_ms - b.t_ms || a.host.localeCompare(b.host));
      const hosts: HostInfo[] = [
        hostInfo(
          {
            host: sampler.host,
            pid: process.pid,
            role: sampler.role,
            machine: sampler.machine,
            clockOffsetMs: 0,
            clockRttMs: 0,
            droppedSinceWorkerStart: 0,
            sampler: sampler.cost,
            missingSources: sampler.missing,
            linkBytesPerSecond: sampler.linkBytesPerSecond,
          },
          own,
        ),
        ...remote.hosts.map((h) =>
          hostInfo(
            h,
            theirs.filter((r) => r.host === h.host),
          ),
        ),
      ];
      const alarms = evaluateAlarms(options.alarms ?? [], rows);
      return {
        intervalMs: sampler.intervalMs,
        rows,
        hosts,
        alarms,
        malformedBatches: remote.malformedBatches,
        cost: options.pricePerWorkerHour === undefined && !options.pricePerHost ? undefined : cost(hosts, options.pricePerWorkerHour, options.pricePerHost),
      };
    },
  };
}

function hostInfo(h: RemoteHost & { sampler: SamplerCost }, rows: readonly HostRow[]): HostInfo {
  const { droppedSinceWorkerStart, ...rest } = h;
  const first = rows[0];
  const last = rows[rows.length - 1];
  return {
    ...rest,
    rows: rows.length,
    wallSeconds: first ? (last.t_ms - (first.t_ms - first.interval_ms)) / 1000 : 0,
    droppedSamples: droppedSinceWorkerStart,
  };
}

/** The run's cost from the hosts' wall time: named prices first, then the price per worker-hour for workers (or the local host). */
export function cost(hosts: readonly HostInfo[], pricePerWorkerHour?: number, pricePerHost: Record<string, number> = {}): CostFigure {
  const perHost: CostFigure['perHost'] = [];
  for (const h of hosts) {
    const price = pricePerHost[h.host] ?? (h.role === 'worker' || h.role === 'local' ? pricePerWorkerHour : undefined);
    if (price === undefined) continue;
    const hours = h.wallSeconds / 3600;
    perHost.push({ host: h.host, hours, pricePerHour: price, cost: hours * price });
  }
  return {
    pricePerWorkerHour: pricePerWorkerHour ?? null,
    hosts: perHost.map((p) => p.host),
    hostHours: perHost.reduce((s, p) => s + p.hours, 0),
    cost: perHost.reduce((s, p) => s + p.cost, 0),
    perHost,
    unmatched: Object.keys(pricePerHost).filter((name) => !hosts.some((h) => h.host === name)),
  };
}

/**
 * The host that ran a task, from its thread's "machine/pid/threadId", and that host's clock offset
 * (task times measured on a worker's clock are moved onto the driver's by it).
 */
export function hostOfThread(hosts: readonly HostInfo[]): (thread: string) => { host: string; clockOffsetMs: number } | undefined {
  const byProcess = new Map(hosts.filter((h) => h.pid !== undefined).map((h) => [`${h.machine}/${h.pid}`, { host: h.host, clockOffsetMs: h.clockOffsetMs }]));
  return (thread) => byProcess.get(thread.slice(0, thread.lastIndexOf('/')));
}

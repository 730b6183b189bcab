/**
 * Per-host means and peaks over a run, and the "what bound the run" line: pure functions of the
 * rows of hosts.csv, run.json's host facts and the task timeline.
 */
import { METRIC_VALUE } from '../hosts/alarms.js';
import type { HostRow } from '../run-folder/files.js';

export interface HostFacts {
  host: string;
  role: string;
  machine: string;
  droppedSamples?: number;
  linkBytesPerSecond?: number | null;
  sampler?: { fractionOfOneCore: number };
}

export interface HostFigures {
  host: string;
  role: string;
  machine: string;
  samples: number;
  cpu: { mean: number; peak: number };
  iowait: { mean: number; peak: number };
  steal: { mean: number; peak: number };
  load: { mean: number; peak: number };
  memUsedPercent: { mean: number; peak: number };
  diskRead: { mean: number; peak: number };
  diskWrite: { mean: number; peak: number };
  diskBusy: { mean: number; peak: number };
  netIn: { mean: number; peak: number };
  netOut: { mean: number; peak: number };
  loopbackIn: { mean: number; peak: number };
  linkBytesPerSecond: number | null;
  droppedSamples: number;
  samplerFraction: number;
}

/** Arrow gives null for an unmeasured figure, CSV an empty cell: both are "not measured". */
const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : NaN);

function meanPeak(values: number[]): { mean: number; peak: number } {
  const v = values.filter(Number.isFinite);
  if (v.length === 0) return { mean: NaN, peak: NaN };
  return { mean: v.reduce((a, b) => a + b, 0) / v.length, peak: Math.max(...v) };
}

export function hostFigures(rows: readonly HostRow[], facts: readonly HostFacts[] = []): HostFigures[] {
  const byHost = new Map<string, HostRow[]>();
  for (const r of rows) byHost.set(r.host, [...(byHost.get(r.host) ?? []), r]);
  return [...byHost].map(([host, mine]) => {
    const f = facts.find((x) => x.host === host);
    const col = (get: (r: HostRow) => number) => meanPeak(mine.map((r) => num(get(r))));
    return {
      host, role: mine[0].role, machine: mine[0].machine ?? '', samples: mine.length,
      cpu: col((r) => METRIC_VALUE.cpu({ ...r, cpu_idle: num(r.cpu_idle), cpu_iowait: num(r.cpu_iowait) })),
      iowait: col((r) => r.cpu_iowait), steal: col((r) => r.cpu_steal), load: col((r) => r.load1), memUsedPercent: col((r) => r.mem_used_percent),
      diskRead: col((r) => r.disk_read_bytes_per_s), diskWrite: col((r) => r.disk_write_bytes_per_s), diskBusy: col((r) => r.disk_busy_percent),
      netIn: col((r) => r.net_in_bytes_per_s), netOut: col((r) => r.net_out_bytes_per_s), loopbackIn: col((r) => r.lo_in_bytes_per_s),
      linkBytesPerSecond: f?.linkBytesPerSecond ?? null, droppedSamples: f?.droppedSamples ?? 0, samplerFraction: f?.sampler?.fractionOfOneCore ?? NaN,
    };
  });
}

export interface Bound {
  /** One line: what limited the run, or that the host figures do not show a limit. */
  headline: string;
  /** The figures behind it, one line each. */
  evidence: string[];
}

const pct = (x: number) => `${Math.round(x)}%`;
const mbs = (x: number) => `${(x / 1e6).toPrecision(3)} MB/s`;

/**
 * What bound the run, from the strongest signal the figures show: a host's CPU near 100% of its
 * cores, its disk busy nearly all the time (or much iowait), its network near the link's speed,
 * CPU stolen by the hypervisor, or worker threads idle waiting for tasks. `threadBusy` is the
 * share of the run the task timeline's threads spent in tasks (undefined without tasks).
 */
export function whatBound(figures: readonly HostFigures[], threadBusy?: number): Bound {
  const evidence: string[] = [];
  const candidates: { score: number; headline: string }[] = [];
  const workers = figures.filter((f) => f.role !== 'driver');
  const pool = workers.length ? workers : figures;
  for (const f of pool) {
    const name = `${f.host}${f.role === 'worker' ? ' (worker)' : ''}`;
    if (f.cpu.mean >= 85) candidates.push({ score: f.cpu.mean / 100, headline: `CPU: ${name} kept ${pct(f.cpu.mean)} of its cores busy on average (peak ${pct(f.cpu.peak)}); more cores or more workers would go faster` });
    if (f.diskBusy.mean >= 80 || f.iowait.mean >= 20) candidates.push({ score: Math.max(f.diskBusy.mean / 100, f.iowait.mean / 25), headline: `Disk: the disk of ${name} was busy ${pct(f.diskBusy.mean)} of the time (iowait ${pct(f.iowait.mean)}, reads ${mbs(f.diskRead.mean)}); faster storage or the page cache would go faster` });
    if (f.linkBytesPerSecond) {
      const use = Math.max(f.netIn.mean, f.netOut.mean) / f.linkBytesPerSecond;
      if (use >= 0.7) candidates.push({ score: use, headline: `Network: ${name} moved ${mbs(Math.max(f.netIn.mean, f.netOut.mean))} on a ${mbs(f.linkBytesPerSecond)} link (${pct(100 * use)}); the link was the limit` });
    }
    if (f.steal.mean >= 10) candidates.push({ score: 0.5 + f.steal.mean / 100, headline: `CPU steal: the hypervisor gave ${pct(f.steal.mean)} of ${name}'s CPU to other guests; a dedicated or larger machine would go faster` });
  }
  // A driver at its limit while it has workers: the workers wait on it (enqueuing, results, writing files).
  for (const f of figures.filter((x) => x.role === 'driver' && workers.length > 0 && !workers.some((w) => w.machine === x.machine))) {
    if (f.cpu.mean >= 85) candidates.push({ score: f.cpu.mean / 100 - 0.05, headline: `Driver: ${f.host} kept ${pct(f.cpu.mean)} of its cores busy (peak ${pct(f.cpu.peak)}) while the workers waited on it; a larger driver machine would go faster` });
  }
  if (threadBusy !== undefined && threadBusy < 0.6) {
    candidates.push({ score: 0.6 - threadBusy + 0.3, headline: `Task flow: worker threads were in tasks only ${pct(100 * threadBusy)} of the run, idle waiting for tasks (fewer partitions than threads, skewed partitions, or the driver); more partitions would go faster` });
  }
  for (const f of figures) {
    evidence.push(`${f.host} (${f.role}${f.machine && f.machine !== f.host ? ` on ${f.machine}` : ''}): CPU ${pct(f.cpu.mean)} mean / ${pct(f.cpu.peak)} peak, iowait ${pct(f.iowait.mean)}, disk busy ${Number.isFinite(f.diskBusy.mean) ? pct(f.diskBusy.mean) : 'n/a'}, net in ${mbs(f.netIn.mean)} out ${mbs(f.netOut.mean)}${f.linkBytesPerSecond ? ` (link ${mbs(f.linkBytesPerSecond)})` : ' (link speed unknown)'}`);
  }
  if (threadBusy !== undefined) evidence.push(`worker threads in tasks ${pct(100 * threadBusy)} of the run`);
  candidates.sort((a, b) => b.score - a.score);
  if (candidates.length) return { headline: candidates[0].headline, evidence: [...candidates.slice(1).map((c) => `also: ${c.headline}`), ...evidence] };
  const busiest = [...pool].sort((a, b) => b.cpu.mean - a.cpu.mean)[0];
  return {
    headline: busiest
      ? `No host resource near its limit (busiest CPU: ${busiest.host} at ${pct(busiest.cpu.mean)}): the run was bound by something host figures do not show, such as latency, one slow thread or a lock`
      : 'No host samples in this run',
    evidence,
  };
}

/** Share of the run's span the task timeline's threads spent in tasks (1 = never idle). */
export function threadBusyShare(tasks: readonly { worker: number; start_ms: number; end_ms: number }[]): number | undefined {
  if (tasks.length === 0) return undefined;
  const threads = new Set(tasks.map((t) => t.worker)).size;
  const span = Math.max(...tasks.map((t) => t.end_ms)) - Math.min(...tasks.map((t) => t.start_ms));
  if (span <= 0) return undefined;
  return tasks.reduce((s, t) => s + (t.end_ms - t.start_ms), 0) / (threads * span);
}

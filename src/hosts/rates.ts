/**
 * Two snapshots of a host's counters become one row of rates over the interval between them.
 * Pure: the sampler (src/hosts/sampler.ts) reads the files, this does the arithmetic.
 */
import type { CpuTicks, DiskCounters, Memory, NetCounters } from './proc-host.js';
import { isCountedDisk, isLoopback } from './proc-host.js';
import type { HostRow } from '../run-folder/files.js';

export interface HostSnapshot {
  /** Wall clock of this host (Date.now()), ms. */
  epochMs: number;
  cpu?: CpuTicks;
  load1?: number;
  memory?: Memory;
  disks?: DiskCounters[];
  nets?: NetCounters[];
  /** This process: CPU microseconds (user + system) and resident memory. */
  processCpuMicros: number;
  processRssBytes: number;
}

/** One row of hosts.csv (its columns: src/run-folder/files.ts), before the driver places it on its own clock (`t_ms`). */
export type { HostRow } from '../run-folder/files.js';

const nan = Number.NaN;

/**
 * Rates between `a` and `b` (b later). A missing source gives NaN columns (empty in the CSV), never
 * zeros that look measured. Counters that went backwards (wrapped, device replaced) give 0.
 */
export function rowBetween(a: HostSnapshot, b: HostSnapshot, physicalDisks?: ReadonlySet<string>): Omit<HostRow, 'host' | 'role' | 'machine' | 't_ms'> {
  const seconds = (b.epochMs - a.epochMs) / 1000;
  const per = (x: number, y: number) => (seconds > 0 ? Math.max(0, y - x) / seconds : nan);
  const cpu = cpuPercent(a.cpu, b.cpu);
  const disk = diskRates(a.disks, b.disks, seconds, physicalDisks);
  const net = netRates(a.nets, b.nets, seconds);
  const m = b.memory;
  return {
    interval_ms: b.epochMs - a.epochMs,
    ...cpu,
    load1: b.load1 ?? nan,
    mem_used_bytes: m?.usedBytes ?? nan,
    mem_available_bytes: m?.availableBytes ?? nan,
    mem_cache_bytes: m?.cacheBytes ?? nan,
    mem_used_percent: m ? (100 * m.usedBytes) / m.totalBytes : nan,
    ...disk,
    ...net,
    process_cpu: (100 * per(a.processCpuMicros, b.processCpuMicros)) / 1e6,
    process_rss_bytes: b.processRssBytes,
  };
}

function cpuPercent(a?: CpuTicks, b?: CpuTicks) {
  if (!a || !b) return { cpu_user: nan, cpu_system: nan, cpu_iowait: nan, cpu_steal: nan, cpu_idle: nan };
  const d = (k: keyof CpuTicks) => Math.max(0, b[k] - a[k]);
  const user = d('user') + d('nice');
  const system = d('system') + d('irq') + d('softirq');
  const total = user + system + d('iowait') + d('steal') + d('idle');
  // No tick passed (intervals shorter than 10 ms): nothing measured, not 0% busy.
  if (total === 0) return { cpu_user: nan, cpu_system: nan, cpu_iowait: nan, cpu_steal: nan, cpu_idle: nan };
  const pct = (x: number) => (100 * x) / total;
  return { cpu_user: pct(user), cpu_system: pct(system), cpu_iowait: pct(d('iowait')), cpu_steal: pct(d('steal')), cpu_idle: pct(d('idle')) };
}

function diskRates(a: DiskCounters[] | undefined, b: DiskCounters[] | undefined, seconds: number, physical?: ReadonlySet<string>) {
  if (!a || !b || seconds <= 0)
    return { disk_read_bytes_per_s: nan, disk_write_bytes_per_s: nan, disk_read_ops_per_s: nan, disk_write_ops_per_s: nan, disk_busy_percent: nan };
  const before = new Map(a.map((d) => [d.name, d]));
  let readBytes = 0, writeBytes = 0, readOps = 0, writeOps = 0, busy = 0;
  for (const d of b) {
    const p = before.get(d.name);
    if (!p || !isCountedDisk(d.name, physical)) continue;
    readBytes += Math.max(0, d.readBytes - p.readBytes);
    writeBytes += Math.max(0, d.writeBytes - p.writeBytes);
    readOps += Math.max(0, d.readOps - p.readOps);
    writeOps += Math.max(0, d.writeOps - p.writeOps);
    busy = Math.max(busy, Math.max(0, d.busyMs - p.busyMs));
  }
  return {
    disk_read_bytes_per_s: readBytes / seconds,
    disk_write_bytes_per_s: writeBytes / seconds,
    disk_read_ops_per_s: readOps / seconds,
    disk_write_ops_per_s: writeOps / seconds,
    disk_busy_percent: Math.min(100, busy / 10 / seconds),
  };
}

function netRates(a: NetCounters[] | undefined, b: NetCounters[] | undefined, seconds: number) {
  if (!a || !b || seconds <= 0)
    return {
      net_in_bytes_per_s: nan,
      net_out_bytes_per_s: nan,
      net_in_packets_per_s: nan,
      net_out_packets_per_s: nan,
      lo_in_bytes_per_s: nan,
      lo_out_bytes_per_s: nan,
    };
  const before = new Map(a.map((n) => [n.name, n]));
  const sum = { inB: 0, outB: 0, inP: 0, outP: 0, loIn: 0, loOut: 0 };
  for (const n of b) {
    const p = before.get(n.name);
    if (!p) continue;
    const rx = Math.max(0, n.rxBytes - p.rxBytes);
    const tx = Math.max(0, n.txBytes - p.txBytes);
    if (isLoopback(n.name)) {
      sum.loIn += rx;
      sum.loOut += tx;
    } else {
      sum.inB += rx;
      sum.outB += tx;
      sum.inP += Math.max(0, n.rxPackets - p.rxPackets);
      sum.outP += Math.max(0, n.txPackets - p.txPackets);
    }
  }
  return {
    net_in_bytes_per_s: sum.inB / seconds,
    net_out_bytes_per_s: sum.outB / seconds,
    net_in_packets_per_s: sum.inP / seconds,
    net_out_packets_per_s: sum.outP / seconds,
    lo_in_bytes_per_s: sum.loIn / seconds,
    lo_out_bytes_per_s: sum.loOut / seconds,
  };
}

/**
 * Parsers of the host-wide Linux /proc files, pure (text in, numbers out), so they are tested on
 * captured text. Every counter stays a counter here; src/hosts/rates.ts turns two into a rate.
 */

/** The aggregate "cpu" line of /proc/stat, in clock ticks since boot (all cores together). */
export interface CpuTicks {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

export function parseCpuStat(text: string): CpuTicks {
  const line = /^cpu\s+([\d\s]+)$/m.exec(text);
  if (!line) throw new Error('/proc/stat: no aggregate "cpu" line');
  const f = line[1].trim().split(/\s+/).map(Number);
  // Older kernels stop after softirq (no steal); guest time is already inside user and nice.
  return { user: f[0], nice: f[1], system: f[2], idle: f[3], iowait: f[4] ?? 0, irq: f[5] ?? 0, softirq: f[6] ?? 0, steal: f[7] ?? 0 };
}

/** /proc/loadavg: the 1, 5 and 15 minute load averages (runnable + uninterruptible tasks). */
export function parseLoadavg(text: string): { load1: number; load5: number; load15: number } {
  const [a, b, c] = text.trim().split(/\s+/).map(Number);
  if (![a, b, c].every(Number.isFinite)) throw new Error(`/proc/loadavg: expected three numbers, got ${JSON.stringify(text.slice(0, 40))}`);
  return { load1: a, load5: b, load15: c };
}

export interface Memory {
  totalBytes: number;
  availableBytes: number;
  /** Page cache: Cached + Buffers (what `free` calls buff/cache, less reclaimable slab). */
  cacheBytes: number;
  /** What programs hold: total less available (the figure `free` calls used, roughly). */
  usedBytes: number;
}

export function parseMeminfo(text: string): Memory {
  const kb = (key: string): number | undefined => {
    const m = new RegExp(`^${key}:\\s+(\\d+)\\s*kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const total = kb('MemTotal');
  if (total === undefined) throw new Error('/proc/meminfo: no MemTotal line');
  // Kernels before 3.14 have no MemAvailable: free + cache is the old estimate.
  const cache = (kb('Cached') ?? 0) + (kb('Buffers') ?? 0);
  const available = kb('MemAvailable') ?? (kb('MemFree') ?? 0) + cache;
  return { totalBytes: total, availableBytes: available, cacheBytes: cache, usedBytes: total - available };
}

/** One device of /proc/diskstats; sectors are always 512 bytes there, whatever the device's own. */
export interface DiskCounters {
  name: string;
  readOps: number;
  readBytes: number;
  writeOps: number;
  writeBytes: number;
  /** Milliseconds the device had I/O in flight (iostat's %util comes from this). */
  busyMs: number;
}

export function parseDiskstats(text: string): DiskCounters[] {
  const disks: DiskCounters[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 14) continue;
    // major minor name reads merged sectors ms writes merged sectors ms in-flight io_ms ...
    disks.push({
      name: f[2],
      readOps: Number(f[3]),
      readBytes: Number(f[5]) * 512,
      writeOps: Number(f[7]),
      writeBytes: Number(f[9]) * 512,
      busyMs: Number(f[12]),
    });
  }
  return disks;
}

/**
 * Whether a /proc/diskstats device is a whole disk to count: summing partitions, device-mapper or
 * RAID volumes with their disks would count each byte twice, and loop / RAM devices are not disks.
 * `physical` is the set of /sys/block names with a `device` link, when /sys is readable.
 */
export function isCountedDisk(name: string, physical?: ReadonlySet<string>): boolean {
  if (physical) return physical.has(name);
  if (/^(loop|ram|zram|dm-|md|sr|fd)/.test(name)) return false;
  // Partitions: sda1, vdb2, nvme0n1p1, mmcblk0p1.
  if (/^(nvme\d+n\d+p\d+|mmcblk\d+p\d+)$/.test(name)) return false;
  if (/^(sd|vd|hd|xvd)[a-z]+\d+$/.test(name)) return false;
  return true;
}

export interface NetCounters {
  name: string;
  rxBytes: number;
  rxPackets: number;
  txBytes: number;
  txPackets: number;
}

/** /proc/net/dev: one entry per interface (two header lines first). */
export function parseNetDev(text: string): NetCounters[] {
  const out: NetCounters[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const f = m[2].trim().split(/\s+/).map(Number);
    if (f.length < 10) continue;
    out.push({ name: m[1], rxBytes: f[0], rxPackets: f[1], txBytes: f[8], txPackets: f[9] });
  }
  return out;
}

/** Loopback traffic is the host talking to itself (a local Redis, say): never network load. */
export const isLoopback = (name: string) => name === 'lo';

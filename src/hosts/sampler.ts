/**
 * Samples the host every `intervalMs` (default: src/options/intervals.ts): /proc/stat, /proc/loadavg, /proc/meminfo,
 * /proc/diskstats and /proc/net/dev, turned into per-interval rates (src/hosts/rates.ts). Runs in
 * every process that does work: the local run, the driver and each `pipeline worker`. It times
 * its own reads and parsing, so the run can say what the sampling cost.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parseCpuStat, parseDiskstats, parseLoadavg, parseMeminfo, parseNetDev } from './proc-host.js';
import { rowBetween, type HostRow, type HostSnapshot } from './rates.js';
import { HOST_INTERVAL_MS } from '../options/intervals.js';
import { HOST_FILES } from '../options/hosts.js';


export interface HostSamplerOptions {
  /** The name rows carry: a worker's --name, else hostname/pid for workers, hostname otherwise. */
  host: string;
  role: HostRow['role'];
  intervalMs?: number;
  /** Each row as it is made (a worker ships them to the driver); rows are kept only without it. */
  onRow?: (row: HostRow) => void;
  /** Where /proc and /sys are (tests point them at captured files). */
  procRoot?: string;
  sysRoot?: string;
}

export interface SamplerCost {
  samples: number;
  busyMs: number;
  /** Sampling time over wall time: 0.001 is a thousandth of one core. */
  fractionOfOneCore: number;
}

export class HostSampler {
  readonly host: string;
  readonly role: HostRow['role'];
  readonly machine = hostname();
  readonly intervalMs: number;
  /** Sources that could not be read (not Linux, /proc hidden): their columns are left empty. */
  readonly missing: string[] = [];
  private readonly rowsKept: HostRow[] = [];
  private previous?: HostSnapshot;
  private timer?: NodeJS.Timeout;
  private startedAt = 0;
  private busyMs = 0;
  private samples = 0;
  private physicalDisks?: Set<string>;
  /** The network links' speed summed (bytes/s), from /sys/class/net/<if>/speed; null where unknown (virtual NICs). */
  linkBytesPerSecond: number | null = null;

  constructor(private readonly options: HostSamplerOptions) {
    this.host = options.host;
    this.role = options.role;
    this.intervalMs = options.intervalMs ?? HOST_INTERVAL_MS;
  }

  start(): this {
    this.startedAt = performance.now();
    this.physicalDisks = physicalDisks(this.options.sysRoot ?? HOST_FILES.sys);
    this.linkBytesPerSecond = linkSpeed(this.options.sysRoot ?? HOST_FILES.sys);
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    // Sampling never keeps a process alive.
    this.timer.unref();
    return this;
  }

  /** Takes a last sample (so the run's end is covered) and stops. */
  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
  }

  get rows(): readonly HostRow[] {
    return this.rowsKept;
  }

  get cost(): SamplerCost {
    const elapsed = performance.now() - this.startedAt;
    return { samples: this.samples, busyMs: this.busyMs, fractionOfOneCore: elapsed > 0 ? this.busyMs / elapsed : 0 };
  }

  /** One snapshot; from the second on, a row of rates since the previous one. */
  sample(): void {
    const t0 = performance.now();
    const snapshot = this.snapshot();
    if (this.previous && snapshot.epochMs > this.previous.epochMs) {
      const row: HostRow = {
        host: this.host,
        role: this.role,
        machine: this.machine,
        t_ms: snapshot.epochMs,
        ...rowBetween(this.previous, snapshot, this.physicalDisks),
      };
      if (this.options.onRow) this.options.onRow(row);
      else this.rowsKept.push(row);
    }
    if (!this.previous || snapshot.epochMs > this.previous.epochMs) this.previous = snapshot;
    this.samples++;
    this.busyMs += performance.now() - t0;
  }

  private snapshot(): HostSnapshot {
    const proc = this.options.procRoot ?? HOST_FILES.proc;
    const read = <T>(file: string, parse: (text: string) => T): T | undefined => {
      try {
        return parse(readFileSync(`${proc}/${file}`, 'latin1'));
      } catch {
        if (!this.missing.includes(`${proc}/${file}`)) this.missing.push(`${proc}/${file}`);
        return undefined;
      }
    };
    const cpu = process.cpuUsage();
    return {
      epochMs: Date.now(),
      cpu: read('stat', parseCpuStat),
      load1: read('loadavg', parseLoadavg)?.load1,
      memory: read('meminfo', parseMeminfo),
      disks: read('diskstats', parseDiskstats),
      nets: read('net/dev', parseNetDev),
      processCpuMicros: cpu.user + cpu.system,
      processRssBytes: process.memoryUsage.rss(),
    };
  }
}

/** Whole disks backed by a device (/sys/block/<name>/device), or undefined when /sys says nothing. */
function physicalDisks(sys: string): Set<string> | undefined {
  try {
    const names = readdirSync(`${sys}/block`).filter((name) => existsSync(`${sys}/block/${name}/device`));
    return names.length ? new Set(names) : undefined;
  } catch {
    return undefined;
  }
}

/** Sum of the non-loopback links' speeds in bytes/s; null when no link says (-1, EINVAL: virtual NICs). */
function linkSpeed(sys: string): number | null {
  let sum = 0;
  try {
    for (const name of readdirSync(`${sys}/class/net`)) {
      if (name === 'lo') continue;
      try {
        const megabits = Number(readFileSync(`${sys}/class/net/${name}/speed`, 'latin1').trim());
        if (megabits > 0) sum += megabits * 125_000;
      } catch {
        // no speed for this interface (down, virtual)
      }
    }
  } catch {
    return null;
  }
  return sum > 0 ? sum : null;
}

/** A worker's default name: two workers on one machine are two processes of one host. */
export const defaultWorkerName = () => `${hostname()}/${process.pid}`;

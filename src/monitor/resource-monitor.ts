/**
 * Samples the process every 250 ms (src/options/intervals.ts): CPU percent of the process and of each thread (from
 * /proc/self/task/<tid>/stat), RSS, and bytes / operations read and bytes written (/proc/self/io).
 * Threads are named at the end, when the pool has said which are its workers (their OS thread ids).
 * A missing source (not Linux, /proc hidden) is noted, and its columns left empty.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpuTicksFromStat, parseIo, rssFromStatus } from './proc.js';
import { RESOURCE_INTERVAL_MS } from '../options/intervals.js';
import { workerCpuColumn, type ResourceRow } from '../run-folder/files.js';

/** USER_HZ: the kernel's unit for stat's CPU times; 100 on every mainstream Linux. */
const TICKS_PER_SECOND = 100;

interface RawSample {
  elapsedMs: number;
  processCpuMicros: number;
  threadTicks: Map<number, number>;
  rss: number;
  readBytes: number;
  readOps: number;
  writtenBytes: number;
}

/** A resources row (its columns: src/run-folder/files.ts). */
export type { ResourceRow } from '../run-folder/files.js';

export class ResourceMonitor {
  private readonly samples: RawSample[] = [];
  private timer?: NodeJS.Timeout;
  private started = 0;
  /** Time spent sampling, to report the monitor's own overhead. */
  private busyMs = 0;
  readonly missing: string[] = [];

  start(intervalMs = RESOURCE_INTERVAL_MS): void {
    this.started = performance.now();
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
  }

  get overhead(): { samples: number; busyMs: number; fractionOfOneCore: number } {
    const elapsed = performance.now() - this.started;
    return { samples: this.samples.length, busyMs: this.busyMs, fractionOfOneCore: elapsed > 0 ? this.busyMs / elapsed : 0 };
  }

  private sample(): void {
    const t0 = performance.now();
    const threadTicks = new Map<number, number>();
    try {
      for (const tid of readdirSync('/proc/self/task')) {
        try {
          threadTicks.set(Number(tid), cpuTicksFromStat(readFileSync(`/proc/self/task/${tid}/stat`, 'latin1')));
        } catch {
          // the thread ended between the listing and the read
        }
      }
    } catch {
      this.note('/proc/self/task (per-thread CPU)');
    }
    let io = { readBytes: NaN, readOps: NaN, writtenBytes: NaN };
    try {
      io = parseIo(readFileSync('/proc/self/io', 'latin1'));
    } catch {
      this.note('/proc/self/io (read and written bytes)');
    }
    let rss = process.memoryUsage.rss();
    try {
      rss = rssFromStatus(readFileSync('/proc/self/status', 'latin1'));
    } catch {
      // process.memoryUsage.rss() already gave it
    }
    const cpu = process.cpuUsage();
    this.samples.push({ elapsedMs: t0 - this.started, processCpuMicros: cpu.user + cpu.system, threadTicks, rss, ...io });
    this.busyMs += performance.now() - t0;
  }

  private note(source: string): void {
    if (!this.missing.includes(source)) this.missing.push(source);
  }

  /** Rows of per-interval CPU percent (100 = one core) and cumulative I/O counters. */
  rows(workerTids: readonly number[]): ResourceRow[] {
    const mainTid = process.pid;
    const rows: ResourceRow[] = [];
    for (let i = 1; i < this.samples.length; i++) {
      const a = this.samples[i - 1];
      const b = this.samples[i];
      const seconds = (b.elapsedMs - a.elapsedMs) / 1000;
      if (seconds <= 0) continue;
      const pct = (ticks: number) => (100 * ticks) / TICKS_PER_SECOND / seconds;
      const delta = (tid: number) => Math.max(0, (b.threadTicks.get(tid) ?? 0) - (a.threadTicks.get(tid) ?? 0));
      let named = delta(mainTid);
      const row: ResourceRow = {
        elapsed_ms: Math.round(b.elapsedMs),
        cpu_process: (100 * (b.processCpuMicros - a.processCpuMicros)) / 1e6 / seconds,
        cpu_main: pct(delta(mainTid)),
        cpu_other: 0,
        rss_bytes: b.rss,
        read_bytes: b.readBytes,
        read_ops: b.readOps,
        written_bytes: b.writtenBytes,
      };
      workerTids.forEach((tid, w) => {
        const d = delta(tid);
        named += d;
        row[workerCpuColumn(w)] = pct(d);
      });
      let all = 0;
      for (const tid of b.threadTicks.keys()) all += delta(tid);
      // Everything else: libuv's pool (sharp and file reads run there), V8 and GC helpers.
      row.cpu_other = pct(Math.max(0, all - named));
      rows.push(row);
    }
    return rows;
  }
}

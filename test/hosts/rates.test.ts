/** Counters to rates: percents of all cores summing to 100, bytes per second, loopback apart. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rowBetween, type HostSnapshot } from '../../src/hosts/rates.js';

const cpu = (user: number, system: number, idle: number, iowait: number, steal = 0) => ({ user, nice: 0, system, idle, iowait, irq: 0, softirq: 0, steal });
const snap = (epochMs: number, o: Partial<HostSnapshot>): HostSnapshot => ({ epochMs, processCpuMicros: 0, processRssBytes: 1, ...o });

test('CPU: shares of the interval\'s ticks over all cores; a memory snapshot is the later one', () => {
  const a = snap(0, { cpu: cpu(100, 50, 1000, 10), memory: { totalBytes: 100, availableBytes: 90, cacheBytes: 5, usedBytes: 10 }, load1: 1 });
  const b = snap(1000, { cpu: cpu(160, 70, 1100, 30, 20), memory: { totalBytes: 100, availableBytes: 60, cacheBytes: 7, usedBytes: 40 }, load1: 2.5 });
  const r = rowBetween(a, b);
  // 60 user + 20 system + 100 idle + 20 iowait + 20 steal = 220 ticks
  assert.equal(r.cpu_user, (100 * 60) / 220);
  assert.equal(r.cpu_system, (100 * 20) / 220);
  assert.equal(r.cpu_iowait, (100 * 20) / 220);
  assert.equal(r.cpu_steal, (100 * 20) / 220);
  assert.ok(Math.abs(r.cpu_user + r.cpu_system + r.cpu_iowait + r.cpu_steal + r.cpu_idle - 100) < 1e-9);
  assert.equal(r.mem_used_percent, 40);
  assert.equal(r.mem_cache_bytes, 7);
  assert.equal(r.load1, 2.5);
  assert.equal(r.interval_ms, 1000);
});

test('disk: whole disks summed per second; partitions not counted twice; busy percent of the interval', () => {
  const d = (name: string, readBytes: number, busyMs: number) => ({ name, readOps: readBytes / 4096, readBytes, writeOps: 0, writeBytes: 0, busyMs });
  const a = snap(0, { disks: [d('vda', 0, 0), d('vda1', 0, 0), d('loop0', 0, 0)] });
  const b = snap(500, { disks: [d('vda', 4096 * 100, 250), d('vda1', 4096 * 100, 250), d('loop0', 4096 * 100, 500)] });
  const r = rowBetween(a, b);
  assert.equal(r.disk_read_bytes_per_s, 4096 * 200);
  assert.equal(r.disk_read_ops_per_s, 200);
  assert.equal(r.disk_busy_percent, 50);
});

test('network: loopback reported apart, never as network load', () => {
  const n = (name: string, rx: number, tx: number) => ({ name, rxBytes: rx, rxPackets: rx / 100, txBytes: tx, txPackets: tx / 100 });
  const a = snap(0, { nets: [n('lo', 0, 0), n('eth0', 0, 0)] });
  const b = snap(2000, { nets: [n('lo', 10_000, 10_000), n('eth0', 4000, 2000)] });
  const r = rowBetween(a, b);
  assert.equal(r.net_in_bytes_per_s, 2000);
  assert.equal(r.net_out_bytes_per_s, 1000);
  assert.equal(r.net_in_packets_per_s, 20);
  assert.equal(r.lo_in_bytes_per_s, 5000);
  assert.equal(r.lo_out_bytes_per_s, 5000);
});

test('a missing source gives NaN (an empty cell), not a zero that looks measured; counters going back give 0', () => {
  const r = rowBetween(snap(0, {}), snap(1000, {}));
  for (const k of ['cpu_user', 'load1', 'mem_used_bytes', 'disk_read_bytes_per_s', 'net_in_bytes_per_s'] as const) assert.ok(Number.isNaN(r[k]), k);
  const back = rowBetween(snap(0, { cpu: cpu(100, 0, 100, 0) }), snap(1000, { cpu: cpu(50, 0, 200, 0) }));
  assert.equal(back.cpu_user, 0);
  assert.equal(back.cpu_idle, 100);
  // No tick at all (a very short interval): nothing measured.
  assert.ok(Number.isNaN(rowBetween(snap(0, { cpu: cpu(1, 1, 1, 1) }), snap(5, { cpu: cpu(1, 1, 1, 1) })).cpu_user));
});

/** Per-host means and peaks, and the "what bound the run" line, on made-up host rows. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostRow } from '../../src/hosts/rates.js';
import { hostFigures, threadBusyShare, whatBound } from '../../src/report/host-figures.js';
import { sharedMachineNotes } from '../../src/report/host-section.js';

const row = (host: string, t: number, o: Partial<HostRow> = {}): HostRow => ({
  host,
  role: 'worker',
  machine: host,
  t_ms: t,
  interval_ms: 250,
  cpu_user: 10,
  cpu_system: 5,
  cpu_iowait: 0,
  cpu_steal: 0,
  cpu_idle: 85,
  load1: 1,
  mem_used_bytes: 1,
  mem_available_bytes: 1,
  mem_cache_bytes: 1,
  mem_used_percent: 20,
  disk_read_bytes_per_s: 1e6,
  disk_write_bytes_per_s: 0,
  disk_read_ops_per_s: 1,
  disk_write_ops_per_s: 0,
  disk_busy_percent: 5,
  net_in_bytes_per_s: 1e6,
  net_out_bytes_per_s: 1e5,
  net_in_packets_per_s: 1,
  net_out_packets_per_s: 1,
  lo_in_bytes_per_s: 0,
  lo_out_bytes_per_s: 0,
  process_cpu: 1,
  process_rss_bytes: 1,
  ...o,
});
const rows = (host: string, o: Partial<HostRow> = {}, n = 8) => Array.from({ length: n }, (_, i) => row(host, 250 * (i + 1), o));

test('means and peaks per host; a null (unmeasured) figure is left out, not counted as 0', () => {
  const [f] = hostFigures([...rows('a'), row('a', 2250, { cpu_user: 80, cpu_idle: 5, disk_busy_percent: null as unknown as number })]);
  assert.equal(f.samples, 9);
  assert.equal(f.cpu.peak, 95);
  assert.ok(Math.abs(f.cpu.mean - (8 * 15 + 95) / 9) < 1e-9);
  assert.equal(f.diskBusy.mean, 5);
});

test('CPU-bound: a worker near 100% of its cores', () => {
  const b = whatBound(hostFigures([...rows('w1', { cpu_user: 90, cpu_system: 8, cpu_idle: 2 }), ...rows('w2'), ...rows('drv', { role: 'driver' })]));
  assert.match(b.headline, /^CPU: w1 \(worker\) kept 98% of its cores busy/);
});

test('disk-bound: the disk busy nearly all the time, or much iowait', () => {
  assert.match(whatBound(hostFigures(rows('w', { disk_busy_percent: 97 }))).headline, /^Disk: the disk of w \(worker\) was busy 97%/);
  assert.match(whatBound(hostFigures(rows('w', { cpu_iowait: 40, cpu_idle: 45 }))).headline, /^Disk: .*iowait 40%/);
});

test('network-bound only where the link speed is known', () => {
  const hot = rows('w', { net_in_bytes_per_s: 110e6 });
  assert.match(whatBound(hostFigures(hot, [{ host: 'w', role: 'worker', machine: 'w', linkBytesPerSecond: 125e6 }])).headline, /^Network: w .*110 MB\/s on a 125 MB\/s link/);
  assert.match(whatBound(hostFigures(hot)).headline, /^No host resource near its limit/);
});

test('task flow: threads idle waiting for tasks; nothing at a limit otherwise', () => {
  const tasks = [{ worker: 0, start_ms: 0, end_ms: 1000 }, { worker: 1, start_ms: 0, end_ms: 200 }];
  assert.equal(threadBusyShare(tasks), 0.6);
  const idle = [{ worker: 0, start_ms: 0, end_ms: 1000 }, { worker: 1, start_ms: 900, end_ms: 1000 }];
  assert.match(whatBound(hostFigures(rows('w')), threadBusyShare(idle)).headline, /^Task flow: worker threads were in tasks only 55%/);
  const none = whatBound(hostFigures(rows('w')), 0.95);
  assert.match(none.headline, /^No host resource near its limit \(busiest CPU: w at 15%\)/);
  assert.ok(none.evidence.some((e) => /threads in tasks 95%/.test(e)));
  assert.equal(whatBound([]).headline, 'No host samples in this run');
});

test('two workers on one machine are named as one machine\'s processes', () => {
  const notes = sharedMachineNotes(hostFigures([...rows('a', { machine: 'm1' }), ...rows('b', { machine: 'm1' }), ...rows('c', { machine: 'm2' })]));
  assert.equal(notes.length, 1);
  assert.match(notes[0], /^a, b run on one machine \(m1\)/);
});

test('a driver on its own machine at its limit is named; on a worker machine its CPU is the workers too', () => {
  const busy = { cpu_user: 95, cpu_system: 3, cpu_idle: 2 };
  const b = whatBound(hostFigures([...rows('drv', { role: 'driver', machine: 'd', ...busy }), ...rows('w1', { machine: 'm1' })]));
  assert.match(b.headline, /^Driver: drv kept 98% of its cores busy/);
  const shared = whatBound(hostFigures([...rows('drv', { role: 'driver', machine: 'm1', ...busy }), ...rows('w1', { machine: 'm1' })]));
  assert.doesNotMatch(shared.headline, /^Driver/);
});

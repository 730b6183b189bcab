/** Alarm rules: parsing (and its usage errors) and firing over host rows. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateAlarms, parseAlarm } from '../../src/hosts/alarms.js';
import type { HostRow } from '../../src/hosts/rates.js';

test('parse: metric, comparison, threshold with units, duration', () => {
  assert.deepEqual(parseAlarm('cpu>90 for 10s'), { text: 'cpu>90 for 10s', metric: 'cpu', op: '>', threshold: 90, durationMs: 10_000 });
  assert.deepEqual(parseAlarm(' mem < 5% '), { text: 'mem < 5%', metric: 'mem', op: '<', threshold: 5, durationMs: 0 });
  assert.equal(parseAlarm('disk_read>50MB/s for 1m').threshold, 50e6);
  assert.equal(parseAlarm('disk_read>50MB/s for 1m').durationMs, 60_000);
  assert.equal(parseAlarm('net_out>2MiB for 500ms').threshold, 2 * 2 ** 20);
  assert.equal(parseAlarm('net_in>1.5k').threshold, 1500);
  assert.equal(parseAlarm('iowait>20 for 2min').durationMs, 120_000);
});

test('parse: bad rules are usage errors naming the option', () => {
  for (const bad of ['', 'cpu', 'cpu=90', 'gpu>5', 'cpu>90MB', 'cpu>150', 'disk_read>5 parsecs', 'cpu>90 for', 'cpu>90 for 10 weeks', 'cpu>-1']) {
    assert.throws(() => parseAlarm(bad), (e: any) => e.code === 'USAGE' && /^--alarm: /.test(e.message), bad);
  }
});

const row = (host: string, t: number, busy: number, extra: Partial<HostRow> = {}): HostRow => ({
  host,
  role: 'local',
  machine: host,
  t_ms: t,
  interval_ms: 250,
  cpu_user: busy,
  cpu_system: 0,
  cpu_iowait: 0,
  cpu_steal: 0,
  cpu_idle: 100 - busy,
  load1: 0,
  mem_used_bytes: 0,
  mem_available_bytes: 0,
  mem_cache_bytes: 0,
  mem_used_percent: 10,
  disk_read_bytes_per_s: 0,
  disk_write_bytes_per_s: 0,
  disk_read_ops_per_s: 0,
  disk_write_ops_per_s: 0,
  disk_busy_percent: 0,
  net_in_bytes_per_s: 0,
  net_out_bytes_per_s: 0,
  net_in_packets_per_s: 0,
  net_out_packets_per_s: 0,
  lo_in_bytes_per_s: 0,
  lo_out_bytes_per_s: 0,
  process_cpu: 0,
  process_rss_bytes: 0,
  ...extra,
});

test('fires once per stretch that lasts its duration, per host, with start, end and peak', () => {
  const busy = [10, 95, 97, 99, 96, 20, 95, 30];
  const rows = [...busy.map((b, i) => row('a', 250 * (i + 1), b)), ...busy.map((b, i) => row('b', 250 * (i + 1), 5))];
  const events = evaluateAlarms([parseAlarm('cpu>90 for 500ms')], rows);
  // a: samples 2-5 (t 500..1250, from 250): 1000 ms, fires; sample 7 alone is 250 ms: does not; b never.
  assert.equal(events.length, 1);
  assert.deepEqual({ ...events[0] }, { alarm: 'cpu>90 for 500ms', host: 'a', metric: 'cpu', op: '>', threshold: 90, start_ms: 250, end_ms: 1250, peak: 99 });
  assert.equal(evaluateAlarms([parseAlarm('cpu>90')], rows).length, 2);
  const low = evaluateAlarms([parseAlarm('cpu<10 for 1s')], rows);
  assert.deepEqual(low.map((e) => [e.host, e.peak]), [['b', 5]]);
});

test('a sample with a missing figure ends a stretch and never fires', () => {
  const rows = [row('a', 250, 99), row('a', 500, NaN, { cpu_idle: NaN }), row('a', 750, 99)];
  assert.deepEqual(evaluateAlarms([parseAlarm('cpu>90 for 400ms')], rows), []);
  assert.deepEqual(evaluateAlarms([parseAlarm('disk_read>0')], [row('a', 250, 0, { disk_read_bytes_per_s: NaN })]), []);
});

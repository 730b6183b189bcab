/** The sampler over a /proc of captured files (changed between samples), and over the real /proc. */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { HostSampler } from '../../src/hosts/sampler.js';
import type { HostRow } from '../../src/hosts/rates.js';
import { withTempDir } from '../helpers.js';

async function writeProc(dir: string, n: number): Promise<void> {
  await mkdir(join(dir, 'net'), { recursive: true });
  await writeFile(join(dir, 'stat'), `cpu  ${100 + 50 * n} 0 ${20 + 10 * n} ${1000 + 40 * n} 0 0 0 0 0 0\n`);
  await writeFile(join(dir, 'loadavg'), `${n}.50 1.00 0.50 1/100 123\n`);
  await writeFile(join(dir, 'meminfo'), 'MemTotal: 1000 kB\nMemAvailable: 600 kB\nBuffers: 0 kB\nCached: 300 kB\n');
  await writeFile(join(dir, 'diskstats'), ` 254 0 vda ${n * 10} 0 ${n * 2048} 0 0 0 0 0 0 ${n * 5} 0\n`);
  await writeFile(join(dir, 'net', 'dev'), `h\nh\n lo: ${n * 999} 1 0 0 0 0 0 0 ${n * 999} 1 0 0 0 0 0 0\n eth0: ${n * 1000} ${n} 0 0 0 0 0 0 ${n * 500} ${n} 0 0 0 0 0 0\n`);
}

test('rows of rates from changing /proc files, each source parsed, sampling cost measured', async () => {
  await withTempDir(async (dir) => {
    await writeProc(dir, 0);
    const sampler = new HostSampler({ host: 'h1', role: 'local', procRoot: dir, sysRoot: join(dir, 'nosys'), intervalMs: 60_000 }).start();
    await sleep(100);
    await writeProc(dir, 1);
    sampler.sample();
    sampler.stop();
    const row = sampler.rows[0] as HostRow;
    assert.equal(row.host, 'h1');
    assert.equal(row.role, 'local');
    assert.ok(row.interval_ms >= 90, String(row.interval_ms));
    const s = row.interval_ms / 1000;
    assert.ok(Math.abs(row.cpu_user - 50) < 1e-9 && Math.abs(row.cpu_system - 10) < 1e-9 && Math.abs(row.cpu_idle - 40) < 1e-9);
    assert.equal(row.load1, 1.5);
    assert.equal(row.mem_used_percent, 40);
    assert.ok(Math.abs(row.disk_read_bytes_per_s - (2048 * 512) / s) < 1e-6);
    assert.ok(Math.abs(row.net_in_bytes_per_s - 1000 / s) < 1e-6);
    assert.ok(Math.abs(row.lo_in_bytes_per_s - 999 / s) < 1e-6);
    assert.deepEqual(sampler.missing, []);
    const cost = sampler.cost;
    assert.equal(cost.samples, 3);
    assert.ok(cost.busyMs > 0 && cost.fractionOfOneCore > 0 && cost.fractionOfOneCore < 1);
  });
});

test('a missing /proc: the sources are named, the figures empty, no crash', async () => {
  await withTempDir(async (dir) => {
    const sampler = new HostSampler({ host: 'h', role: 'local', procRoot: join(dir, 'none'), intervalMs: 60_000 }).start();
    await sleep(20);
    sampler.stop();
    assert.equal(sampler.missing.length, 5);
    assert.ok(Number.isNaN(sampler.rows[0].cpu_user));
    assert.ok(sampler.rows[0].process_rss_bytes > 0);
  });
});

test('the real /proc: a row every interval, CPU shares summing to 100, the process figures', async () => {
  // Waits for five rows however slow the machine is (each row comes through onRow as it is made).
  const rows: HostRow[] = [];
  let fifth!: () => void;
  const five = new Promise<void>((resolve) => (fifth = resolve));
  const sampler = new HostSampler({ host: 'me', role: 'local', intervalMs: 50, onRow: (row) => rows.push(row) === 5 && fifth() }).start();
  // The sampler's timer does not keep a process alive (unref): this does, while the test waits.
  const alive = setInterval(() => undefined, 60_000);
  await five;
  clearInterval(alive);
  sampler.stop();
  for (const r of rows.filter((r) => Number.isFinite(r.cpu_idle))) {
    assert.ok(Math.abs(r.cpu_user + r.cpu_system + r.cpu_iowait + r.cpu_steal + r.cpu_idle - 100) < 1e-6);
  }
  assert.ok(rows.every((r) => r.mem_available_bytes > 0 && r.process_rss_bytes > 0));
  assert.ok(sampler.cost.fractionOfOneCore < 0.2, `sampling cost ${sampler.cost.fractionOfOneCore}`);
});

/**
 * A local convert records the host: hosts.csv / hosts.arrow in <out>/convert-run/ with CPU and disk
 * reads while converting, and an alarm with a low threshold fires into alarms.csv and run.json.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { tableFromIPC } from 'apache-arrow';
import { biggerDataset, runCli, withTempDir } from '../helpers.js';

const exec = promisify(execFile);

/** Evicts a folder's files from the page cache (GNU dd's nocache: posix_fadvise DONTNEED), so reading them hits the disk. */
async function dropFromPageCache(dir: string): Promise<void> {
  await exec('sync');
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) await exec('dd', [`if=${join(entry.parentPath ?? (entry as any).path, entry.name)}`, 'iflag=nocache', 'count=0', 'status=none']);
  }
}

test('local convert: hosts.* with CPU and disk reads; an alarm fires into alarms.csv, run.json and the result', async () => {
  await withTempDir(async (dir) => {
    const input = await biggerDataset(dir, 3);
    await dropFromPageCache(input);
    const out = join(dir, 'out');
    const r = await runCli(['convert', input, '--out', out, '--workers', '2', '--host-interval', '50', '--alarm', 'cpu>1', '--alarm', 'mem<0.001', '--price-per-worker-hour', '3.6', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    const run = join(out, 'convert-run');
    const rows = parse(await readFile(join(run, 'hosts.csv')), { columns: true, cast: true }) as Record<string, any>[];
    assert.ok(rows.length >= 3, `${rows.length} rows`);
    assert.ok(rows.every((x) => x.role === 'local' && x.t_ms > 0));
    assert.ok(Math.max(...rows.map((x) => 100 - x.cpu_idle)) > 0, 'CPU busy while converting');
    const readBytes = rows.reduce((s, x) => s + (x.disk_read_bytes_per_s * x.interval_ms) / 1000, 0);
    // On a RAM file system (a CI's tmpfs /tmp) the input is never read from a disk: nothing to check
    // (the host figure is machine-wide, so other programs' reads would show there anyway).
    const fsType = (await exec('stat', ['-f', '-c', '%T', input])).stdout.trim();
    if (fsType !== 'tmpfs' && fsType !== 'ramfs') assert.ok(readBytes > 100_000, `disk read ${readBytes} bytes on ${fsType}`);
    const arrow = tableFromIPC(await readFile(join(run, 'hosts.arrow')));
    assert.equal(arrow.numRows, rows.length);
    assert.ok(arrow.schema.fields.some((f) => f.name === 'net_in_bytes_per_s'));
    // Byte counts are integers (Int64), rates are Float64.
    for (const name of ['mem_used_bytes', 'mem_available_bytes', 'mem_cache_bytes', 'process_rss_bytes']) assert.equal(String(arrow.schema.fields.find((f) => f.name === name)?.type), 'Int64', name);
    assert.equal(String(arrow.schema.fields.find((f) => f.name === 'net_in_bytes_per_s')?.type), 'Float64');

    const alarms = parse(await readFile(join(run, 'alarms.csv')), { columns: true, cast: true }) as Record<string, any>[];
    assert.deepEqual([...new Set(alarms.map((a) => a.alarm))], ['cpu>1']);
    assert.ok(alarms[0].peak > 1 && alarms[0].end_ms >= alarms[0].start_ms);
    const runJson = JSON.parse(await readFile(join(run, 'run.json'), 'utf8'));
    assert.equal(runJson.alarms.length, alarms.length);
    assert.equal(runJson.hosts.hosts[0].role, 'local');
    assert.ok(runJson.hosts.hosts[0].sampler.samples >= rows.length);
    assert.equal(result.alarms.length, alarms.length);
    // Cost: the local host's wall time at 3.6 an hour is 0.001 a second.
    assert.ok(Math.abs(result.cost.cost - runJson.hosts.hosts[0].wallSeconds * 0.001) < 1e-9);
  });
});

test('convert: a bad --alarm or --host-interval is a usage error (exit 2) before any work', async () => {
  await withTempDir(async (dir) => {
    for (const args of [['--alarm', 'cpu>'], ['--alarm', 'disk>5'], ['--host-interval', '0'], ['--price-per-worker-hour', '-1']]) {
      const r = await runCli(['convert', join(dir, 'none'), '--out', join(dir, 'out'), ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(args[0]));
    }
  });
});

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseMeasurements } from '../../src/recommend/measurements.js';
import { runCli, withTempDir } from '../helpers.js';

// The seed system's shape: training time per batch size, network latency and cluster size.
const SEED = ['nodes,batch_size,latency_ms,seconds'];
for (const batch of [32, 64]) for (const latency of [1, 10]) for (const nodes of [1, 2, 4, 8, 16]) {
  SEED.push(`${nodes},${batch},${latency},${(6400 / batch) * (40 / nodes + 2 + (latency / 10) * nodes * 0.5)}`);
}

test('CSV and JSON Lines tables parse to the same rows; nodes, throughput and extra columns are read', () => {
  const csv = parseMeasurements('workers,seconds,machine,price_per_hour,batch_size\n1,100,m5,0.2,32\n2,55,m5,0.2,32\n', 't.csv');
  const jsonl = parseMeasurements('{"workers":1,"seconds":100,"machine":"m5","price_per_hour":0.2,"batch_size":32}\n\n{"workers":2,"seconds":55,"machine":"m5","price_per_hour":0.2,"batch_size":32}\n', 't.jsonl');
  assert.deepEqual(csv.map(({ source: _source, ...r }) => r), jsonl.map(({ source: _source, ...r }) => r));
  assert.deepEqual(csv[0], { source: 't.csv:2', machine: 'm5', workers: 1, seconds: 100, throughput: undefined, pricePerHour: 0.2, cores: undefined, scale: undefined, extra: { batch_size: '32' } });
  const other = parseMeasurements('Nodes,Throughput\n4,1200\n', 'x.csv');
  assert.equal(other[0].workers, 4);
  assert.equal(other[0].throughput, 1200);
});

test('bad tables: one line naming the file, the line and what was expected (exit 3); a missing file is exit 2', async () => {
  await withTempDir(async (dir) => {
    const cases: [string, string, RegExp][] = [
      ['zero.csv', 'workers,seconds\n1,10\n0,5\n', /zero\.csv:3: workers must be a positive integer, got "0"/],
      ['frac.csv', 'workers,seconds\n1.5,10\n', /frac\.csv:2: workers must be a positive integer/],
      ['noseconds.csv', 'workers,machine\n1,a\n', /noseconds\.csv:2: missing seconds \(or throughput\)/],
      ['noworkers.csv', 'seconds\n10\n', /noworkers\.csv:2: missing workers \(or nodes\)/],
      ['neg.csv', 'workers,seconds\n1,-3\n', /neg\.csv:2: seconds must be a positive number, got "-3"/],
      ['text.csv', 'workers,seconds\n1,fast\n', /text\.csv:2: seconds must be a positive number, got "fast"/],
      ['empty.csv', '', /empty\.csv: no rows/],
      ['header.csv', 'workers,seconds\n', /header\.csv: no rows/],
      ['ragged.csv', 'workers,seconds\n1,2,3\n', /ragged\.csv: not a readable CSV table/],
      ['broken.jsonl', '{"workers":1,"seconds":2}\n{"workers":2,\n', /broken\.jsonl:2: not a JSON object/],
      ['array.jsonl', '[1,2]\n', /array\.jsonl:1: expected an object/],
      ['huge.csv', 'workers,seconds\n1,10\n1e300,5\n', /huge\.csv:3: workers must be at most 1000000/],
      ['binary.csv', '\u0000\u0001\u0002\n', /binary\.csv/],
    ];
    for (const [name, text, message] of cases) {
      await writeFile(join(dir, name), text);
      const r = await runCli(['recommend', '--measurements', join(dir, name)]);
      assert.equal(r.code, 3, `${name}: ${r.stderr}`);
      assert.match(r.stderr, message, name);
      assert.equal(r.stderr.trim().split('\n').length, 1, `${name}: one line`);
    }
    const missing = await runCli(['recommend', '--measurements', join(dir, 'nope.csv')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.csv: no such file/);
    const folder = await runCli(['recommend', '--measurements', dir]);
    assert.equal(folder.code, 2);
    const nothing = await runCli(['recommend']);
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /expected run folders or --measurements FILE/);
  });
});

test('the seed\'s lookup: with no fit asked, the measured table alone answers; --where filters', async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, 'seed.csv');
    await writeFile(file, SEED.join('\n') + '\n');
    const r = await runCli(['recommend', '--measurements', file, '--where', 'batch_size=64', '--where', 'latency_ms=10', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const rec = JSON.parse(r.stdout);
    assert.equal(rec.basis, 'table');
    assert.equal(rec.fit.chosen, null);
    assert.deepEqual(rec.candidates.map((c: { workers: number }) => c.workers), [1, 2, 4, 8, 16]);
    // seconds = 100 (40/n + 2 + 0.5 n): fastest measured at 8 (11) ahead of 4 (14) and 16 (12.5).
    assert.equal(rec.recommended.workers, 8);
    assert.equal(rec.recommended.predictedFrom, 'measured');
    assert.match(rec.notes.join(' '), /answered from the measured table alone/);
    assert.equal(rec.measured.length, 5);

    const pooled = JSON.parse((await runCli(['recommend', '--measurements', file, '--json'])).stdout);
    assert.match(pooled.notes.join(' '), /rows differ in batch_size .* --where batch_size=VALUE/);

    const unknown = await runCli(['recommend', '--measurements', file, '--where', 'gpu=a100']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--where: expected a column of the measurements \(batch_size, latency_ms\), got "gpu"/);
    const none = await runCli(['recommend', '--measurements', file, '--where', 'batch_size=7']);
    assert.equal(none.code, 3);
    assert.match(none.stderr, /no measurement rows match batch_size=7/);
    const bad = await runCli(['recommend', '--measurements', file, '--where', 'batch_size']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--where: expected KEY=VALUE/);
  });
});

test('tables mix and repeat; --max-workers 1000000 prints a bounded answer; --candidates must be counts', async () => {
  await withTempDir(async (dir) => {
    const a = join(dir, 'a.csv');
    const b = join(dir, 'b.jsonl');
    // seconds = 1e6/m + 10 + 0.001 m: fastest at sqrt(1e9), about 31,623 workers.
    await writeFile(a, 'workers,seconds\n1,1000010.001\n10,100010.01\n100,10010.1\n');
    await writeFile(b, '{"workers":1000,"seconds":1011}\n{"workers":10000,"seconds":120}\n');
    const r = await runCli(['recommend', '--measurements', a, '--measurements', b, '--max-workers', '1000000', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.length < 100_000, `${r.stdout.length} bytes`);
    const rec = JSON.parse(r.stdout);
    assert.equal(rec.measured.length, 5);
    assert.ok(rec.candidates.length <= 140);
    assert.equal(rec.recommended.workers, 31623);
    assert.equal(rec.candidatesConsidered, 1_000_000);
    const human = await runCli(['recommend', '--measurements', a, '--measurements', b, '--max-workers', '1000000']);
    assert.ok(human.stdout.length < 20_000);
    assert.match(human.stdout, /<- recommended/);
    assert.match(human.stdout, /candidates shown/);
    for (const args of [['--candidates', '4,x'], ['--candidates', '0'], ['--max-workers', '2000000'], ['--min-improvement', '120%'], ['--candidates', '4', '--max-workers', '8']]) {
      const bad = await runCli(['recommend', '--measurements', a, ...args]);
      assert.equal(bad.code, 2, `${args.join(' ')}: ${bad.stderr}`);
      assert.match(bad.stderr, new RegExp(args[0]));
    }
  });
});

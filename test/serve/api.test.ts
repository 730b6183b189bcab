import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { createRecommendServer } from '../../src/serve/server.js';
import { ROOT, runCli, withTempDir } from '../helpers.js';

const TABLE = 'machine,workers,seconds,price_per_hour\n' + ['small', 'large'].flatMap((machine) => [1, 2, 4, 8, 16].map((m) => `${machine},${m},${machine === 'small' ? 2000 / m + 10 + 0.8 * m : 900 / m + 15 + 2 * m},${machine === 'small' ? 0.1 : 0.4}`)).join('\n') + '\n';
const rows = TABLE.trim().split('\n').slice(1).map((line) => {
  const [machine, workers, seconds, price] = line.split(',');
  return { machine, workers: Number(workers), seconds: Number(seconds), price_per_hour: Number(price) };
});

async function withServer(fn: (base: string) => Promise<void>, maxBodyBytes?: number): Promise<void> {
  const server = createRecommendServer({ maxBodyBytes });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

test('POST /api/recommend and /api/next answer exactly what the CLI prints with --json', async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, 'm.csv');
    await writeFile(file, TABLE);
    await withServer(async (base) => {
      const health = await fetch(`${base}/api/health`);
      assert.equal(health.status, 200);
      assert.equal((await health.json()).ok, true);
      for (const [args, body] of [
        [['--goal', 'cost', '--candidates', '1,2,4,8,16,24,32'], { goal: 'cost', candidates: [1, 2, 4, 8, 16, 24, 32] }],
        [['--goal', 'weighted', '--alpha', '1', '--beta', '3600', '--max-workers', '40', '--budget', '5'], { goal: 'weighted', alpha: 1, beta: '3600', maxWorkers: 40, budget: 5 }],
        [['--where', 'machine=small'], { where: ['machine=small'] }],
      ] as [string[], Record<string, unknown>][]) {
        const cli = await runCli(['recommend', '--measurements', file, ...args, '--json']);
        assert.equal(cli.code, 0, cli.stderr);
        const byRows = await post(`${base}/api/recommend`, { measurements: rows, ...body });
        assert.equal(byRows.status, 200);
        assert.deepEqual(await byRows.json(), JSON.parse(cli.stdout), args.join(' '));
        const byText = await post(`${base}/api/recommend`, { table: TABLE, ...body });
        assert.deepEqual(await byText.json(), JSON.parse(cli.stdout));
      }
      const cliNext = await runCli(['recommend', '--measurements', file, '--next', '--max-workers', '64', '--json']);
      const next = await post(`${base}/api/next`, { measurements: rows, maxWorkers: 64 });
      assert.equal(next.status, 200);
      const answer = await next.json();
      assert.deepEqual(answer, JSON.parse(cliNext.stdout));
      assert.ok('next' in answer && 'reason' in answer && 'recommended' in answer);
    });
  });
});

test('bad bodies get 400 with the CLI\'s message; oversized ones 413; unknown paths 404, wrong methods 405', async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, 'm.csv');
    await writeFile(file, TABLE);
    await withServer(async (base) => {
      for (const [args, body] of [
        [['--max-workers', 'x'], { maxWorkers: 'x' }],
        [['--goal', 'fast'], { goal: 'fast' }],
        [['--candidates', '4,-1'], { candidates: '4,-1' }],
        [['--where', 'gpu=1'], { where: 'gpu=1' }],
        [['--min-improvement', '2'], { minImprovement: 2 }],
      ] as [string[], Record<string, unknown>][]) {
        const cli = await runCli(['recommend', '--measurements', file, ...args]);
        assert.equal(cli.code, 2, args.join(' '));
        const res = await post(`${base}/api/recommend`, { table: TABLE, ...body });
        assert.equal(res.status, 400, args.join(' '));
        // The same message, naming the JSON key sent (maxWorkers) where the CLI names its flag (--max-workers).
        const key = Object.keys(body)[0]!;
        const error: string = (await res.json()).error;
        assert.equal(`pipeline: ${error}`, cli.stderr.trim().replace(args[0]!, key), args.join(' '));
        assert.ok(error.startsWith(`${key}: `) && !error.includes('--'), error);
      }
      const data = await post(`${base}/api/recommend`, { measurements: [{ workers: 0, seconds: 3 }] });
      assert.equal(data.status, 400);
      assert.match((await data.json()).error, /measurements\[0\]: workers must be a positive integer/);
      for (const body of ['not json', '[1,2]', '{}', JSON.stringify({ measurements: 'x' }), JSON.stringify({ table: 'workers,seconds\n', goal: 'time' }), JSON.stringify({ table: TABLE, runs: ['/etc'] })]) {
        const res = await post(`${base}/api/recommend`, body);
        assert.equal(res.status, 400, body);
        assert.equal(typeof (await res.json()).error, 'string');
      }
      assert.equal((await fetch(`${base}/api/nothing`)).status, 404);
      assert.equal((await fetch(`${base}/api/recommend`)).status, 405);
      const page = await fetch(`${base}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<form id="form">/);
    });
    await withServer(async (base) => {
      const big = JSON.stringify({ table: 'workers,seconds\n' + '1,1\n'.repeat(20_000) });
      const res = await post(`${base}/api/recommend`, big).catch((e) => e);
      assert.equal(res.status, 413);
    }, 50_000);
  });
});

test('pipeline serve listens on --host/--port, answers, and stops cleanly on SIGTERM', async () => {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'pipeline.js'), 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((resolvePromise, reject) => {
      let err = '';
      child.stderr.on('data', (d) => {
        err += d;
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(err);
        if (m) resolvePromise(m[1]);
      });
      child.on('exit', () => reject(new Error(`exited: ${err}`)));
    });
    const res = await post(`${url}api/recommend`, { measurements: rows });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).basis, 'table');
    const closed = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGTERM');
    assert.equal(await closed, 143);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  const busy = await runCli(['serve', '--port', '99999']);
  assert.equal(busy.code, 2);
  assert.match(busy.stderr, /--port: expected an integer from 0 to 65535/);
});

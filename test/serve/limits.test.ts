import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { test } from 'node:test';
import { createRecommendServer, type RecommendServerOptions } from '../../src/serve/server.js';

async function withServer(options: RecommendServerOptions, fn: (base: string, port: number) => Promise<void>): Promise<void> {
  const server = createRecommendServer(options);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  try {
    await fn(`http://127.0.0.1:${port}`, port);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

const post = (url: string, body: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

/** 99,000 rows, 9,999 distinct worker counts (under 1 MiB): the kind of table that took the quadratic fit 400 s. */
function bigTable(rows = 99_000): string {
  const lines = ['workers,seconds'];
  for (let i = 0; i < rows; i++) {
    const m = 1 + (i % 9999);
    lines.push(`${m},${Math.round(100_000 / m + 10 + 0.05 * m + (i % 7))}`);
  }
  return lines.join('\n');
}

test('GET /api/health answers within 100 ms beside a 99,000-row recommendation, which runs on a worker thread', { timeout: 120_000 }, async () => {
  let computing!: () => void;
  const started = new Promise<void>((r) => (computing = r));
  await withServer({ onCompute: () => computing() }, async (base) => {
    const table = bigTable();
    assert.ok(Buffer.byteLength(table) < 1 << 20, 'under the body limit');
    let done = false;
    const big = post(`${base}/api/recommend`, JSON.stringify({ table, model: 'auto' })).then(async (res) => {
      done = true;
      return { status: res.status, body: await res.json() };
    });
    await started;
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const res = await fetch(`${base}/api/health`);
      assert.equal(res.status, 200);
      assert.equal((await res.json()).ok, true);
      times.push(performance.now() - t0);
    }
    assert.equal(done, false, 'the health probes were answered while the big request was still being computed');
    // The median, not the worst: the machine running the tests may be shared, and one probe can wait
    // for a core; a blocked event loop (the bug) made every probe wait for the whole fit.
    const sorted = [...times].sort((a, b) => a - b);
    assert.ok(sorted[2] < 100 && sorted[4] < 1000, `health probes took ${times.map((t) => t.toFixed(1)).join(', ')} ms`);
    const answer = await big;
    assert.equal(answer.status, 200);
    assert.equal(answer.body.measured.length, 9999);
    assert.ok(answer.body.recommended.workers > 0);
  });
});

/** Opens a connection and sends `text`, never the rest; resolves with what the server said when it closed. */
async function halfSent(port: number, text: string): Promise<string> {
  const socket: Socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(text);
  let received = '';
  socket.on('data', (d) => (received += d));
  socket.on('error', () => {});
  await once(socket, 'close');
  return received;
}

test('50 half-sent bodies and 10 half-sent headers are closed by the body and header deadlines', { timeout: 60_000 }, async () => {
  await withServer({ headersTimeoutMs: 400, bodyTimeoutMs: 800 }, async (base, port) => {
    const bodies = Array.from({ length: 50 }, () => halfSent(port, 'POST /api/recommend HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"table": "workers,'));
    const headers = Array.from({ length: 10 }, () => halfSent(port, 'POST /api/recommend HTTP/1.1\r\nHost: x\r\nX-Slow: '));
    const answers = await Promise.all([...bodies, ...headers]);
    for (const a of answers.slice(0, 50)) assert.match(a, /^HTTP\/1\.1 408 /, a);
    // The server still answers once they are gone.
    assert.equal((await fetch(`${base}/api/health`)).status, 200);
  });
});

test('a JSON body nested 5,000 deep is a 400 (not a stack overflow and a 500), as is a JSON Lines row nested so', async () => {
  const errors: unknown[] = [];
  await withServer({ onError: (e) => errors.push(e) }, async (base) => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    for (const body of [
      `{"measurements":[{"workers":1,"seconds":2,"x":${deep}}]}`,
      `{"measurements":[{"workers":1,"seconds":1}],"where":${deep}}`,
      JSON.stringify({ table: `{"workers":1,"seconds":2,"x":${deep}}\n` }),
      JSON.stringify({ table: `{"workers":${deep},"seconds":2}\n` }),
    ]) {
      for (const path of ['/api/recommend', '/api/next', '/api/chart']) {
        const res = await post(base + path, body);
        const answer = await res.json();
        assert.equal(res.status, 400, `${path}: ${JSON.stringify(answer)}`);
        assert.match(answer.error, /nested \d+ deep/);
      }
    }
  });
  assert.deepEqual(errors, []);
});

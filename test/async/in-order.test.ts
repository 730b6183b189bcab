import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { inOrder } from '../../src/async/in-order.js';

test('inOrder keeps input order with calls finishing out of order, and never more than the limit in flight', async () => {
  let inFlight = 0;
  let most = 0;
  const out: number[] = [];
  for await (const x of inOrder([30, 5, 20, 1, 10, 2], 3, async (ms) => {
    most = Math.max(most, ++inFlight);
    await sleep(ms);
    inFlight--;
    return ms;
  })) out.push(x);
  assert.deepEqual(out, [30, 5, 20, 1, 10, 2]);
  assert.equal(most, 3);
});

test('a consumer that stops early leaves no unhandled rejection behind', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  try {
    for await (const x of inOrder([1, 2, 3, 4], 4, async (n) => {
      await sleep(n * 5);
      if (n > 1) throw new Error(`late failure ${n}`);
      return n;
    })) {
      assert.equal(x, 1);
      break;
    }
    await sleep(50);
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test('a consumer that stops early leaves only after the calls in flight have ended', async () => {
  let running = 0;
  for await (const x of inOrder([1, 2, 3, 4], 4, async (n) => {
    running++;
    await sleep(n * 5);
    running--;
    return n;
  })) {
    assert.equal(x, 1);
    break;
  }
  assert.equal(running, 0);
});

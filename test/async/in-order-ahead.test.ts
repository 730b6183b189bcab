import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inOrderAhead } from '../../src/async/in-order-ahead.js';

/** A call that ends when the test says so. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

test('a slow call does not hold back the others: new calls start as others end, up to `ahead` past the oldest', async () => {
  const slow = deferred<number>();
  const started: number[] = [];
  let startedWhenSlowEnded = -1;
  const out: number[] = [];
  for await (const x of inOrderAhead([0, 1, 2, 3, 4, 5, 6, 7], 2, async (n) => {
    started.push(n);
    if (n === 0) return slow.promise;
    // Once the first fast call has ended and every call it let start has run (one turn of the
    // event loop: calls start on promise callbacks), the slow one ends.
    if (n === 1) setImmediate(() => {
      startedWhenSlowEnded = started.length;
      slow.resolve(0);
    });
    return n;
  })) out.push(x);
  assert.deepEqual(out, [0, 1, 2, 3, 4, 5, 6, 7]);
  // inOrder would have started 2 (the slow one and the next); here 4: the window of ahead = 2 * limit.
  assert.equal(startedWhenSlowEnded, 4);
});

test('never more than `limit` calls in flight, results in input order', async () => {
  let inFlight = 0;
  let most = 0;
  const gates = Array.from({ length: 12 }, () => deferred<void>());
  const out: number[] = [];
  const items = [...gates.keys()];
  // Calls end in reverse order of a block of three, each as the next starts.
  const run = inOrderAhead(items, 3, async (i) => {
    most = Math.max(most, ++inFlight);
    if (i >= 2) gates[i - 2].resolve();
    if (i >= items.length - 2) gates[i].resolve();
    await gates[i].promise;
    inFlight--;
    return i;
  });
  for await (const x of run) out.push(x);
  assert.deepEqual(out, items);
  assert.equal(most, 3);
});

test('an error is thrown at its turn; a consumer that stops early waits for the calls in flight and leaves no unhandled rejection', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  try {
    const seen: number[] = [];
    await assert.rejects(async () => {
      for await (const x of inOrderAhead([1, 2, 3, 4, 5], 2, async (n) => {
        if (n === 3) throw new Error('third failed');
        return n;
      })) seen.push(x);
    }, /third failed/);
    assert.deepEqual(seen, [1, 2]);

    let running = 0;
    const late = deferred<void>();
    for await (const x of inOrderAhead([1, 2, 3, 4], 4, async (n) => {
      running++;
      if (n > 1) {
        await late.promise;
        running--;
        throw new Error(`late failure ${n}`);
      }
      running--;
      setImmediate(() => late.resolve());
      return n;
    })) {
      assert.equal(x, 1);
      break;
    }
    assert.equal(running, 0);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

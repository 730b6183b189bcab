/**
 * Like inOrder (in-order.ts): up to `limit` calls in flight, results yielded in input order. But a
 * new call starts as soon as ANY call ends, not only the oldest: with inOrder one slow request
 * (a GET waiting on a busy object server) holds `limit - 1` finished ones and starts nothing until
 * it ends, so fewer than `limit` are really in flight. A thread pool (boto3's 32 threads) has no
 * such wait. Finished results wait for their turn, at most `ahead` items past the oldest one not
 * yet yielded, which bounds memory. For many small requests of varying latency (image objects);
 * local reads keep inOrder, where the calls' times hardly vary.
 *
 * As inOrder: leaving the loop early waits for the calls still in flight, and their results or
 * errors are dropped.
 */
export async function* inOrderAhead<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>, ahead = 2 * limit): AsyncGenerator<R> {
  const window = Math.max(limit, ahead);
  const started = new Map<number, Promise<R>>();
  let next = 0;
  let yielded = 0;
  let running = 0;
  let closed = false;
  const pump = () => {
    while (!closed && running < limit && next < items.length && next < yielded + window) {
      const call = fn(items[next]);
      running++;
      const ended = () => {
        running--;
        pump();
      };
      call.then(ended, ended);
      started.set(next++, call);
    }
  };
  try {
    pump();
    while (yielded < items.length) {
      const call = started.get(yielded)!;
      started.delete(yielded);
      const result = await call;
      yielded++;
      pump();
      yield result;
    }
  } finally {
    closed = true;
    await Promise.allSettled(started.values());
  }
}

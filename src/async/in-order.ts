/**
 * Maps with up to `limit` calls in flight, yielding results in input order (deterministic shards).
 * When the consumer stops early, leaving the loop waits for the calls still in flight (their
 * results or errors are dropped): nothing started here runs on after the loop is left, so a timed
 * pass that stops early does not hand its unfinished work to the next one.
 */
export async function* inOrder<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): AsyncGenerator<R> {
  const pending: Promise<R>[] = [];
  let next = 0;
  try {
    while (next < items.length && pending.length < limit) pending.push(fn(items[next++]));
    while (pending.length > 0) {
      const result = await pending.shift()!;
      if (next < items.length) pending.push(fn(items[next++]));
      yield result;
    }
  } finally {
    await Promise.allSettled(pending);
  }
}

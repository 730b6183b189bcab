/**
 * Maps with up to `limit` calls in flight, yielding results in input order (deterministic shards).
 * When the consumer stops early, calls still in flight finish on their own; their results (or
 * errors) are dropped rather than left as unhandled rejections.
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
    for (const p of pending) p.catch(() => undefined);
  }
}

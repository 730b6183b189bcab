/** Maps with up to `limit` calls in flight, yielding results in input order (deterministic shards). */
export async function* inOrder<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): AsyncGenerator<R> {
  const pending: Promise<R>[] = [];
  let next = 0;
  while (next < items.length && pending.length < limit) pending.push(fn(items[next++]));
  while (pending.length > 0) {
    const result = await pending.shift()!;
    if (next < items.length) pending.push(fn(items[next++]));
    yield result;
  }
}

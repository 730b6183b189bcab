/** Runs `fn` with a cluster executor on `redis` (closing it after): what `--redis` means for every command. */
import type { Executor } from '../pool/executor.js';

export async function withClusterExecutor<T>(
  redis: string,
  onInfo: ((message: string) => void) | undefined,
  fn: (executor: Executor) => Promise<T>,
): Promise<T> {
  // Loaded lazily: BullMQ and ioredis are not needed without --redis.
  const { clusterExecutor } = await import('./executor.js');
  const executor = await clusterExecutor(redis, onInfo);
  try {
    return await fn(executor);
  } finally {
    await executor.close();
  }
}

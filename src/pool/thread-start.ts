/**
 * A worker thread is never terminated while it loads its code. A native addon whose initialisation
 * is cut off by the termination (@julusian/jpeg-turbo, node-addon-api with C++ exceptions: its
 * calls fail once JavaScript may no longer run, and the error it then throws reaches no handler)
 * aborts the whole process: exit 134 and "terminate called after throwing an instance of
 * 'Napi::Error'", from a convert that had finished its work (a pool whose spare thread was still
 * loading when a two-image run ended). Each thread says when its entry module, with the code it
 * preloads, has loaded (src/tasks/worker.ts), on its parent port (piscina passes such messages on
 * as the pool's 'message' event); the pool (src/pool/pool.ts) ends its threads only once every
 * live one has said so.
 */
import { parentPort, threadId } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import { THREAD_START_LIMIT_MS } from '../options/intervals.js';

const STARTED = 'pipelineThreadStarted';

/** Said by a worker thread once its code has loaded. */
export function sayThreadStarted(): void {
  parentPort?.postMessage({ [STARTED]: threadId });
}

/**
 * Follows which of `pool`'s threads have loaded their code (attach it as the pool is made);
 * returns a wait for every live one to have done so. A thread that never does (it hangs while
 * loading) is waited for THREAD_START_LIMIT_MS at most.
 */
export function followThreadStarts(pool: Piscina): () => Promise<void> {
  const started = new Set<number>();
  let wake = () => {};
  pool.on('message', (message: unknown) => {
    if (typeof message !== 'object' || message === null || !(STARTED in message)) return;
    started.add((message as Record<typeof STARTED, number>)[STARTED]);
    wake();
  });
  // A thread that ended (its threadId then reads -1) is not waited for.
  const loading = () => pool.threads.some((thread) => thread.threadId >= 0 && !started.has(thread.threadId));
  return async () => {
    const deadline = Date.now() + THREAD_START_LIMIT_MS;
    while (loading() && Date.now() < deadline) {
      // Woken by the next thread that starts, or after a while to see threads that ended.
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 50);
      });
    }
  };
}

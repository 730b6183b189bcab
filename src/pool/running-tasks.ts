/**
 * How many tasks this process's pool runs at this moment, across its threads: one Int32 the pool
 * shares with its threads (piscina's workerData, `WorkerStart.running`). A task that can use an
 * idle core another way (convert's big decodes on libuv's pool) asks it; the count never changes
 * a result, only where work runs. A thread outside a pool (a test calling a task directly) counts
 * its own tasks.
 */
import { workerData } from 'node:worker_threads';

export function newRunningCounter(): SharedArrayBuffer {
  return new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
}

let counter: Int32Array | undefined;

function running(): Int32Array {
  // workerData is the pool's WorkerStart (src/pool/protocol.ts), read here by its one field.
  const shared = (workerData as { running?: unknown } | undefined)?.running;
  counter ??= new Int32Array(shared instanceof SharedArrayBuffer ? shared : newRunningCounter());
  return counter;
}

/** `task` run and counted among the pool's running tasks while it runs. */
export async function countedTask<T>(task: () => Promise<T>): Promise<T> {
  Atomics.add(running(), 0, 1);
  try {
    return await task();
  } finally {
    Atomics.sub(running(), 0, 1);
  }
}

/** The pool's tasks running now (this one included, when called from one). */
export function tasksRunning(): number {
  return Atomics.load(running(), 0);
}

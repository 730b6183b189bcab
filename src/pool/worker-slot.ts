/**
 * Each worker thread's slot in its pool, so that a task writes its own `worker` into the rows it
 * returns (they come back finished; the driver only orders them). The pool shares a registry with
 * its threads (piscina's workerData, `WorkerStart.slots`): one Int32 per thread, holding the threadId of the thread that
 * holds it, 0 when free. A thread takes the lowest free slot when it starts its first task, so the
 * slots of a pool are 0, 1, ... in the order its threads first ran a task; the pool gives a slot
 * back when it destroys the thread, and a replacement thread takes it.
 *
 * `numbers` (cluster mode) maps a slot to the number this thread is known by across the cluster:
 * the worker slots its process registered in Redis (src/cluster/worker-slots.ts).
 */
import { isMainThread, threadId, workerData } from 'node:worker_threads';

export interface SlotRegistry {
  slots: SharedArrayBuffer;
  /** The number written for each slot; absent: the slot itself. */
  numbers?: readonly number[];
}

export function newSlotRegistry(threads: number, numbers?: readonly number[]): SlotRegistry {
  return { slots: new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * threads), ...(numbers ? { numbers: [...numbers] } : {}) };
}

/** Takes the lowest free slot for `thread` (its threadId, never 0 in a worker thread); -1 when all are held. */
export function claimSlot(registry: SlotRegistry, thread: number): number {
  const slots = new Int32Array(registry.slots);
  for (let i = 0; i < slots.length; i++) {
    if (Atomics.load(slots, i) === thread || Atomics.compareExchange(slots, i, 0, thread) === 0) return i;
  }
  return -1;
}

/**
 * Gives back every slot whose thread is not among `live` (called by the pool when it destroys a
 * thread: by then the dying Worker's threadId already reads -1, so it is found by its absence).
 */
export function releaseSlotsExcept(registry: SlotRegistry, live: ReadonlySet<number>): void {
  const slots = new Int32Array(registry.slots);
  for (let i = 0; i < slots.length; i++) {
    const thread = Atomics.load(slots, i);
    if (thread !== 0 && !live.has(thread)) Atomics.compareExchange(slots, i, thread, 0);
  }
}

let mine: number | undefined;

/**
 * This thread's worker number, for its rows: its slot (or the cluster number of that slot). The
 * main thread, or a thread outside a pool (a test calling a task directly), is worker 0.
 */
export function workerNumber(): number {
  if (mine !== undefined) return mine;
  // workerData is the pool's WorkerStart (src/pool/protocol.ts), read here by its one field.
  const registry = (workerData as { slots?: SlotRegistry } | undefined)?.slots;
  if (isMainThread || !(registry?.slots instanceof SharedArrayBuffer)) return 0;
  const slot = claimSlot(registry, threadId);
  // More threads than slots cannot happen (the pool's maxThreads is the registry's size): a bug.
  if (slot < 0) throw new Error(`worker thread ${threadId}: every one of the pool's ${registry.slots.byteLength / 4} slots is held`);
  mine = registry.numbers?.[slot] ?? slot;
  return mine;
}

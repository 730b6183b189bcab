/**
 * The worker thread's entry: the named tasks the pool runs (piscina's `name` option), one per
 * entry of the task registry (src/pool/protocol.ts). It imports no pool code but the protocol and
 * the start signal (src/pool/thread-start.ts). Each
 * task's code is imported on its first call: a convert worker never loads the speed test's code
 * (nor a speed test worker the image codecs), which saves each thread's start-up about 0.1 s of
 * CPU. sharp is loaded by the tasks when an image needs it (src/image/sharp-lazy.ts).
 */
import { workerData } from 'node:worker_threads';
import { taskHandler, type TaskHandler, type TaskName, type WorkerStart } from '../pool/protocol.js';
import { sayThreadStarted } from '../pool/thread-start.js';

/** Each task's code, imported once (by the first call, or at start for the pool's `preload`). */
const code = {
  convertPartition: () => import('../convert/partition-task.js'),
  runSpeedtestJob: () => import('../speedtest/task.js'),
} satisfies { [N in TaskName]: () => Promise<unknown> };

/** One handler per task name: the compiler checks that none is missing and that each has its types. */
const handlers: { [N in TaskName]: TaskHandler<N> } = {
  convertPartition: taskHandler<'convertPartition'>(async (input, progress) => (await code.convertPartition()).convertPartition(input, progress)),
  runSpeedtestJob: taskHandler<'runSpeedtestJob'>(async (input, progress) => (await code.runSpeedtestJob()).runSpeedtestJob(input, progress)),
};

// Awaited here, while the thread starts: piscina waits for this module before the thread is
// ready, and once ready the thread blocks in Atomics.wait between tasks, where an import left
// running in the background would make no progress until the first task came.
const preload = (workerData as WorkerStart | undefined)?.preload;
if (preload) await code[preload]();
// From now on the pool may end this thread (src/pool/thread-start.ts).
sayThreadStarted();

export const { convertPartition, runSpeedtestJob } = handlers;

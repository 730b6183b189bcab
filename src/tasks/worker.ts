/**
 * The worker thread's entry: the named tasks the pool runs (piscina's `name` option), one per
 * entry of the task registry (src/pool/protocol.ts). It imports no pool code but the protocol. Each
 * task's code is imported on its first call: a convert worker never loads the speed test's code
 * (nor a speed test worker the image codecs), which saves each thread's start-up about 0.1 s of
 * CPU. sharp is loaded by the tasks when an image needs it (src/image/sharp-lazy.ts).
 */
import { taskHandler, type TaskHandler, type TaskName } from '../pool/protocol.js';

/** One handler per task name: the compiler checks that none is missing and that each has its types. */
const handlers: { [N in TaskName]: TaskHandler<N> } = {
  convertPartition: taskHandler<'convertPartition'>(async (input, progress) => (await import('../convert/partition-task.js')).convertPartition(input, progress)),
  runSpeedtestJob: taskHandler<'runSpeedtestJob'>(async (input, progress) => (await import('../speedtest/task.js')).runSpeedtestJob(input, progress)),
};

export const { convertPartition, runSpeedtestJob } = handlers;

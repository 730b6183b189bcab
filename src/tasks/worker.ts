/**
 * The worker thread's entry: the named tasks the pool runs (piscina's `name` option), one per
 * entry of the task registry (src/pool/protocol.ts). It imports no pool code but the protocol. sharp
 * is loaded by the tasks when an image needs it, set to one thread per image (src/image/sharp-lazy.ts):
 * parallelism comes from the pool's threads and the images each one keeps in flight.
 */
import { convertPartition as convertPartitionTask } from '../convert/partition-task.js';
import { runSpeedtestJob as runSpeedtestJobTask } from '../speedtest/task.js';
import { taskHandler, type TaskHandler, type TaskName } from '../pool/protocol.js';

/** One handler per task name: the compiler checks that none is missing and that each has its types. */
const handlers: { [N in TaskName]: TaskHandler<N> } = {
  convertPartition: taskHandler<'convertPartition'>(convertPartitionTask),
  runSpeedtestJob: taskHandler<'runSpeedtestJob'>(runSpeedtestJobTask),
};

export const { convertPartition, runSpeedtestJob } = handlers;

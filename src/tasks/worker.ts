/**
 * The worker thread's entry: the named tasks the pool runs (piscina's `name` option), one per
 * entry of the task registry (src/pool/protocol.ts). It imports no pool code but the protocol. sharp's own
 * thread count is 1 per image: parallelism comes from the pool's threads and the images each one
 * keeps in flight.
 */
import sharp from 'sharp';
import { convertPartition as convertPartitionTask } from '../convert/partition-task.js';
import { runSpeedtestJob as runSpeedtestJobTask } from '../speedtest/task.js';
import { taskHandler, type TaskHandler, type TaskName } from '../pool/protocol.js';

sharp.concurrency(1);
// libvips' operation cache helps when the same image is processed again; here every image is new.
sharp.cache(false);

/** One handler per task name: the compiler checks that none is missing and that each has its types. */
const handlers: { [N in TaskName]: TaskHandler<N> } = {
  convertPartition: taskHandler<'convertPartition'>(convertPartitionTask),
  runSpeedtestJob: taskHandler<'runSpeedtestJob'>(runSpeedtestJobTask),
};

export const { convertPartition, runSpeedtestJob } = handlers;

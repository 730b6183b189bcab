/**
 * The worker thread's entry: the named tasks the pool runs (piscina's `name` option). It imports
 * no pool code. sharp's own thread count is 1 per image: parallelism comes from the pool's threads
 * and the images each one keeps in flight.
 */
import sharp from 'sharp';

sharp.concurrency(1);
// libvips' operation cache helps when the same image is processed again; here every image is new.
sharp.cache(false);

export { convertPartition } from '../convert/partition-task.js';
export { runSpeedtestJob } from '../speedtest/task.js';

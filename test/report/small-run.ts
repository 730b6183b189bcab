import { join } from 'node:path';
import { convert } from '../../src/convert/convert.js';
import { speedtest } from '../../src/speedtest/speedtest.js';
import { parseAlarm } from '../../src/hosts/alarms.js';
import { ROOT } from '../helpers.js';

/** A real, small speed-test run of the bundled photos (a few seconds), with an alarm low enough to fire. */
export async function smallRun(dir: string, repetitions = [1, 2, 3]): Promise<string> {
  const shards = join(dir, 'shards');
  await convert({ input: join(ROOT, 'fixtures', 'photos'), out: shards, partitions: 2, size: '64x64' });
  const run = join(dir, 'run');
  await speedtest({ images: join(ROOT, 'fixtures', 'photos'), tfrecords: shards, out: run, cache: 'both', batchSizes: [4, 8, 16], batchNumbers: [2, 4], repetitions, workers: 2, alarms: [parseAlarm('cpu>1')], hostIntervalMs: 100 });
  return run;
}

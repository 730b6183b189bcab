/**
 * `npm run bench [name...]`: runs the benchmarks (all, or those named) and writes each one's JSON
 * to reports/bench/. Peers are measured in the same run, so ratios hold on a noisy machine.
 */
import { benchCluster } from './cluster.js';
import { benchConvert } from './convert.js';
import { benchHosts } from './hosts.js';
import { benchObjectStorage } from './object-storage.js';
import { benchRecommend } from './recommend.js';
import { benchSpeedtest } from './speedtest.js';
import { benchTfrecordRead } from './tfrecord-read.js';

const BENCHES: Record<string, () => Promise<void>> = {
  'tfrecord-read': benchTfrecordRead,
  convert: benchConvert,
  speedtest: benchSpeedtest,
  cluster: benchCluster,
  recommend: benchRecommend,
  hosts: benchHosts,
  'object-storage': benchObjectStorage,
};

const wanted = process.argv.slice(2);
for (const [name, run] of Object.entries(BENCHES)) {
  if (wanted.length && !wanted.includes(name)) continue;
  console.error(`bench: ${name}`);
  await run();
}

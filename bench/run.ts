/**
 * `npm run bench [name...]`: runs the benchmarks (all, or those named) and writes each one's JSON
 * to reports/bench/. Peers are measured in the same run, so ratios hold on a noisy machine.
 */
import { benchCluster } from './cluster.js';
import { benchConvert } from './convert.js';
import { benchConvertSweep } from './convert-sweep.js';
import { benchConvertBigPhotos } from './convert-big-photos.js';
import { benchConvertMillion } from './convert-million.js';
import { benchHosts } from './hosts.js';
import { benchObjectStorage } from './object-storage.js';
import { benchInspectVerify } from './inspect-verify.js';
import { benchRecommend } from './recommend.js';
import { benchSpeedtest } from './speedtest.js';
import { benchTfrecordRead } from './tfrecord-read.js';

const BENCHES: Record<string, () => Promise<void>> = {
  'tfrecord-read': benchTfrecordRead,
  convert: benchConvert,
  'convert-sweep': benchConvertSweep,
  'convert-big-photos': benchConvertBigPhotos,
  'inspect-verify': benchInspectVerify,
  'convert-million': benchConvertMillion,
  speedtest: benchSpeedtest,
  cluster: benchCluster,
  recommend: benchRecommend,
  hosts: benchHosts,
  'object-storage': benchObjectStorage,
};

const wanted = process.argv.slice(2);
for (const [name, run] of Object.entries(BENCHES)) {
  if (wanted.length && !wanted.includes(name)) continue;
  // Half an hour and a million links: only when named.
  if (!wanted.length && name === 'convert-million') continue;
  console.error(`bench: ${name}`);
  await run();
}

/** A real scaling sweep on this machine (tfrecord dataset, 1 to 4 workers; 4 tasks so that 4 threads can run) and what recommend makes of it. */
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { convert } from '../src/convert/convert.js';
import { recommend } from '../src/recommend/recommend.js';
import { PROJECT_ROOT } from '../src/version.js';
import { photos500 } from './datasets.js';
import { round, SCRATCH, writeResult } from './util.js';

export async function benchRecommend(): Promise<void> {
  const shards = join(SCRATCH, 'datasets', 'shards-16');
  if (!existsSync(join(shards, 'manifest.json'))) await convert({ input: await photos500(), out: shards, partitions: 16 });
  const run = join(SCRATCH, 'sweep-run');
  rmSync(run, { recursive: true, force: true });
  execFileSync(process.execPath, [join(PROJECT_ROOT, 'bin', 'pipeline.js'), 'speedtest', '--tfrecords', shards, '--out', run, '--batch-sizes', '16,32', '--batch-numbers', '20,40', '--repetitions', '1,2,3', '--sweep-workers', '1,2,3,4', '--quiet']);
  const time = await recommend({ runs: [run], goal: 'time' });
  const cost = await recommend({ runs: [run], goal: 'cost', pricePerWorkerHour: 0.1 });
  execFileSync(process.execPath, [join(PROJECT_ROOT, 'bin', 'pipeline.js'), 'report', run, '--quiet']);
  writeResult('recommend', {
    run,
    measured: time.measured.map((p) => ({ workers: p.workers, seconds: round(p.seconds, 3) })),
    fit: time.fit && {
      chosen: time.fit.chosen,
      basis: time.fit.basis,
      models: time.fit.models.map((m) => ({ model: m.model, looError: m.looError === null ? null : round(m.looError, 4), trainError: round(m.trainError, 4) })),
    },
    recommendedForTime: time.recommended?.workers,
    recommendedForCost: cost.recommended?.workers,
    notes: time.notes,
  });
}

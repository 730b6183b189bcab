/**
 * `npm run bench -- inspect-verify`: the whole `pipeline inspect --verify` command on a 1.08 GB
 * file of 10 KB records (and its .idx), beside its ceiling measured in the same run (a process
 * that only reads the file and checks every CRC: bench/read-crc.ts), alternated, best of 3; and
 * against the committed baseline (commit d879018's figure): a 2x regression fails the bench.
 * Page cache warm (a first untimed pass). Writes reports/bench/inspect-verify.json.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomFillSync } from 'node:crypto';
import { PROJECT_ROOT } from '../src/version.js';
import { encodeExample } from '../src/tfrecord/example.js';
import { writeRecords } from '../src/tfrecord/writer.js';
import { compareWithBaseline, failOnRegression } from './baseline.js';
import { round, SCRATCH, timed, writeResult } from './util.js';

const RECORDS = 106_000;
const ROUNDS = 3;

async function bigShard(): Promise<string> {
  const dir = join(SCRATCH, 'datasets', 'verify-10k');
  const path = join(dir, 'part-00000-of-00001.tfrecord');
  if (existsSync(path) && existsSync(join(dir, 'part-00000-of-00001.idx'))) return path;
  mkdirSync(dir, { recursive: true });
  const image = randomFillSync(Buffer.alloc(10_000));
  function* records() {
    for (let i = 0; i < RECORDS; i++) {
      image.writeUInt32LE(i, 0);
      yield encodeExample({ image: { bytes: [image] }, class: { int64: [BigInt(i % 5)] }, label: { bytes: [Buffer.from(`class-${i % 5}`)] }, filename: { bytes: [Buffer.from(`class-${i % 5}/img-${i}.jpg`)] } });
    }
  }
  await writeRecords(path, records(), { indexPath: join(dir, 'part-00000-of-00001.idx') });
  return path;
}

interface Run { seconds: number; cpuSeconds: number }

function run(command: string, args: string[]): Run {
  const started = process.hrtime.bigint();
  const { cpuSeconds } = timed(command, args);
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds };
}

export async function benchInspectVerify(): Promise<void> {
  const path = await bigShard();
  const ours = () => run(process.execPath, [join(PROJECT_ROOT, 'bin', 'pipeline.js'), 'inspect', path, '--verify', '--json']);
  const ceiling = () => run(process.execPath, [join(PROJECT_ROOT, 'dist', 'bench', 'read-crc.js'), path]);
  ceiling(); // warms the page cache
  const mine: Run[] = [];
  const top: Run[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    mine.push(ours());
    top.push(ceiling());
  }
  const { size } = await import('node:fs/promises').then((fs) => fs.stat(path));
  const best = (list: Run[]) => list.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const lowestCpu = (list: Run[]) => Math.min(...list.map((r) => r.cpuSeconds));
  const gbps = (r: Run) => size / r.seconds / 1e9;
  const checks = compareWithBaseline({ inspectVerifyGBps: gbps(best(mine)) });
  writeResult('inspect-verify', {
    method: `whole commands (start-up included) alternated, best of ${ROUNDS}; GB/s = file bytes / wall seconds; CPU = user + system (/usr/bin/time), lowest of the rounds`,
    file: { bytes: size, records: RECORDS, recordBytes: 10_000 },
    ours: {
      gbps: round(gbps(best(mine))),
      seconds: round(best(mine).seconds, 3),
      cpuSeconds: round(lowestCpu(mine)),
      allSeconds: mine.map((r) => round(r.seconds, 3)),
    },
    ceilingReadAndCrc: {
      gbps: round(gbps(best(top))),
      seconds: round(best(top).seconds, 3),
      cpuSeconds: round(lowestCpu(top)),
      allSeconds: top.map((r) => round(r.seconds, 3)),
    },
    ratioToCeiling: round(gbps(best(mine)) / gbps(best(top))),
    ratioToCeilingCpu: round(lowestCpu(top) / lowestCpu(mine)),
    goal: 'ratioToCeiling >= 0.8 and at least the baseline (commit d879018)',
    met: gbps(best(mine)) >= 0.8 * gbps(best(top)) && checks.every((c) => c.ratio >= 1),
    baseline: checks,
  });
  failOnRegression(checks);
}

/**
 * TFRecord read + CRC check + Example parse on one thread, 100,000 records of about 10 KB,
 * beside the page-cache read of the same file and the npm `tfrecord@0.2.0` package, same run; and
 * the ceiling for any reader that checks every byte's CRC: a plain loop reading the file in 1 MiB
 * chunks and running CRC32C over each (no framing, no records).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { crc32c, crc32cImplementation } from '../src/tfrecord/crc32c.js';
import { decodeExample, encodeExample } from '../src/tfrecord/example.js';
import { readRecords } from '../src/tfrecord/reader.js';
import { writeRecords } from '../src/tfrecord/writer.js';
import { bestOf, npmPeer, round, SCRATCH, writeResult } from './util.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);

/**
 * Best of `runs` by wall time, and the least CPU time (user + system of the whole process) of the
 * runs: on a shared machine the wall clock also counts waiting for a core, the CPU time does not.
 */
async function bestOfWithCpu<T>(runs: number, fn: () => Promise<T>): Promise<{ seconds: number; cpuSeconds: number; value: T }> {
  let cpuSeconds = Infinity;
  const result = await bestOf(runs, async () => {
    const before = process.cpuUsage();
    const value = await fn();
    const used = process.cpuUsage(before);
    cpuSeconds = Math.min(cpuSeconds, (used.user + used.system) / 1e6);
    return value;
  });
  return { seconds: result.seconds, cpuSeconds, value: result.value };
}

export async function benchTfrecordRead(): Promise<void> {
  const dir = join(SCRATCH, 'tfrecord-read');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'bench.tfrecord');
  const image = randomBytes(10_000);
  function* examples() {
    for (let i = 0; i < RECORDS; i++) {
      yield encodeExample({ image: { bytes: [image] }, class: { int64: [BigInt(i % 5)] }, label: { bytes: [Buffer.from('daisy')] } });
    }
  }
  const write = await bestOf(1, () => writeRecords(path, examples()));
  const bytes = (await stat(path)).size;
  const mbps = (s: number) => round(bytes / s / 1e6, 0);

  const pageCache = await bestOfWithCpu(3, async () => {
    const handle = await open(path, 'r');
    const buf = Buffer.allocUnsafe(1 << 20);
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
    }
    await handle.close();
    return total;
  });

  const plainReadCrc = await bestOfWithCpu(3, async () => {
    const handle = await open(path, 'r');
    const buf = Buffer.allocUnsafe(1 << 20);
    let crc = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      crc = crc32c(buf.subarray(0, bytesRead), crc);
    }
    await handle.close();
    return crc;
  });

  const framingOnly = await bestOfWithCpu(3, async () => {
    let n = 0;
    for await (const _ of readRecords(path, { verify: false })) n++;
    return n;
  });
  const crcOnly = await bestOfWithCpu(3, async () => {
    let n = 0;
    for await (const _ of readRecords(path, { verify: true })) n++;
    return n;
  });
  const full = await bestOfWithCpu(3, async () => {
    let n = 0;
    for await (const record of readRecords(path, { verify: true })) {
      const features = decodeExample(record.data);
      if ('bytes' in features.image) n++;
    }
    return n;
  });
  if (full.value !== RECORDS) throw new Error(`read ${full.value} records, expected ${RECORDS}`);

  const peerDir = npmPeer('tfrecord@0.2.0');
  const peer = createRequire(join(peerDir, 'package.json'))('tfrecord') as { createReader(p: string): Promise<{ readExample(): Promise<unknown | null> }> };
  const peerRun = await bestOf(1, async () => {
    const reader = await peer.createReader(path);
    let n = 0;
    while ((await reader.readExample()) !== null) n++;
    return n;
  });

  writeResult('tfrecord-read', {
    records: RECORDS,
    fileBytes: bytes,
    crc32c: crc32cImplementation,
    ours: {
      readCrcParseMBps: mbps(full.seconds),
      readCrcParseRecordsPerSecond: round(RECORDS / full.seconds, 0),
      readCrcMBps: mbps(crcOnly.seconds),
      readFramingOnlyMBps: mbps(framingOnly.seconds),
      writeMBps: mbps(write.seconds),
    },
    pageCacheReadMBps: mbps(pageCache.seconds),
    ceilingPlainReadCrcMBps: mbps(plainReadCrc.seconds),
    perCpuSecondMBps: {
      readCrcParse: mbps(full.cpuSeconds),
      readCrc: mbps(crcOnly.cpuSeconds),
      readFramingOnly: mbps(framingOnly.cpuSeconds),
      ceilingPlainReadCrc: mbps(plainReadCrc.cpuSeconds),
      pageCacheRead: mbps(pageCache.cpuSeconds),
      note: 'bytes over the least CPU time of the runs: what one core does when the machine is shared',
    },
    npmTfrecord: { version: '0.2.0', MBps: mbps(peerRun.seconds), recordsPerSecond: round(peerRun.value / peerRun.seconds, 0) },
    ratios: {
      oursVsNpmTfrecord: round(peerRun.seconds / full.seconds, 1),
      oursVsPageCache: round(pageCache.seconds / full.seconds, 2),
      oursVsCeiling: round(plainReadCrc.seconds / full.seconds, 2),
      oursVsCeilingPerCpuSecond: round(plainReadCrc.cpuSeconds / full.cpuSeconds, 2),
    },
    goal: 'readCrcParseMBps >= 2000 (or the ratio to ceilingPlainReadCrcMBps, which no CRC-checking reader passes on one thread) and oursVsNpmTfrecord >= 8',
  });
  rmSync(path, { force: true });
}

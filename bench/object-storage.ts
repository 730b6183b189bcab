/**
 * object-storage: reads from a real S3 server (Ceph RGW, scripts/s3-gateway.sh), optionally behind
 * netem latency in a network namespace of our own (a cloud bucket's round trip on one machine).
 *
 * - images: every image object fetched by our client (--io-concurrency style, 32 in flight)
 *   against bench/boto3_images.py (boto3 on a 32-thread pool), same objects, alternating, best of 3.
 * - shards: our TFRecord reader over the shard objects (framing + CRC, 4 shards at a time) against
 *   a plain parallel GET loop over the same objects (the ceiling), best of 3 each.
 * - io-concurrency: image objects/s with 1, 4, 16, 32, 64 GETs in flight (the default's measurement).
 * - study: `pipeline speedtest` TFRecord / images throughput ratio on local disk and on the bucket.
 *
 * Sizes: PIPELINE_BENCH_S3_IMAGES (default 3670, the flowers count), PIPELINE_BENCH_S3_LATENCY_MS
 * (default 20; 0 for none; needs root and iproute2). Writes reports/bench/object-storage.json.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse/sync';
import { inOrder } from '../src/async/in-order.js';
import { convert } from '../src/convert/convert.js';
import { scanDataset } from '../src/dataset/scan.js';
import { ObjectStore } from '../src/storage/object-store.js';
import { RequestStats } from '../src/storage/request-stats.js';
import { readRecords } from '../src/tfrecord/reader.js';
import { PROJECT_ROOT } from '../src/version.js';
import { DEFAULT_IO_CONCURRENCY } from '../src/options/storage.js';
import { photos500 } from './datasets.js';
import { PYTHON, round, SCRATCH, writeResult } from './util.js';

const ROUNDS = 3;
const SCRIPT = join(PROJECT_ROOT, 'scripts', 's3-gateway.sh');

interface BenchGateway {
  env: Record<string, string>;
  latencyMs: number;
  latencyNote?: string;
  stop(): void;
}

/** A namespace with a veth pair, netem delay on the host side: requests wait `ms` more each round trip. */
async function startGateway(latencyMs: number): Promise<BenchGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'pipeline-bench-s3-'));
  const ns = `plbench${process.pid}`;
  let netns = false;
  let note: string | undefined;
  if (latencyMs > 0) {
    try {
      const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
      ip('netns', 'add', ns);
      netns = true;
      ip('link', 'add', `vh${process.pid}`.slice(0, 15), 'type', 'veth', 'peer', 'name', `vn${process.pid}`.slice(0, 15));
      ip('link', 'set', `vn${process.pid}`.slice(0, 15), 'netns', ns);
      ip('addr', 'add', '10.219.0.1/30', 'dev', `vh${process.pid}`.slice(0, 15));
      ip('link', 'set', `vh${process.pid}`.slice(0, 15), 'up');
      ip('netns', 'exec', ns, 'ip', 'addr', 'add', '10.219.0.2/30', 'dev', `vn${process.pid}`.slice(0, 15));
      ip('netns', 'exec', ns, 'ip', 'link', 'set', `vn${process.pid}`.slice(0, 15), 'up');
      ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
      execFileSync('tc', ['qdisc', 'add', 'dev', `vh${process.pid}`.slice(0, 15), 'root', 'netem', 'delay', `${latencyMs}ms`], { stdio: 'pipe' });
    } catch (error) {
      note = `no netem latency (needs root and iproute2): ${(error as Error).message.split('\n')[0]}`;
      if (netns) spawnSync('ip', ['netns', 'del', ns]);
      netns = false;
    }
  }
  const started = spawnSync('bash', [SCRIPT, 'start', dir], { encoding: 'utf8', env: { ...process.env, ...(netns ? { NETNS: ns, ADDRESS: '10.219.0.2' } : {}) } });
  if (started.status !== 0) throw new Error(`s3-gateway.sh did not start: ${started.stderr}`);
  const env = Object.fromEntries(readFileSync(join(dir, 'env'), 'utf8').trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  // No netem here (a container's kernel): the same round trip from a delaying proxy in its own process.
  let proxy: ReturnType<typeof spawn> | undefined;
  if (latencyMs > 0 && !netns) {
    const target = new URL(env.AWS_ENDPOINT_URL);
    proxy = spawn(process.execPath, [join(PROJECT_ROOT, 'dist', 'bench', 'latency-proxy.js'), target.hostname, target.port, String(latencyMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve) => proxy!.stdout!.once('data', (d) => resolve(String(d))));
    const port = /listening (\d+)/.exec(line)![1];
    env.AWS_ENDPOINT_URL = `http://127.0.0.1:${port}`;
    note = `${note}; instead a userspace proxy adds ${latencyMs} ms a round trip (bench/latency-proxy.ts)`;
  }
  return {
    env: { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    latencyMs: netns || proxy ? latencyMs : 0,
    latencyNote: note,
    stop() {
      proxy?.kill();
      spawnSync('bash', [SCRIPT, 'stop', dir]);
      if (netns) spawnSync('ip', ['netns', 'del', ns]);
    },
  };
}

/** Best of `rounds` for each side, the sides alternating within each round. */
async function alternate(rounds: number, sides: Record<string, () => Promise<number>>): Promise<Record<string, number>> {
  const best: Record<string, number> = {};
  for (let r = 0; r < rounds; r++) {
    for (const [name, run] of Object.entries(sides)) {
      const value = await run();
      best[name] = Math.max(best[name] ?? 0, value);
    }
  }
  return best;
}

const seconds = async (fn: () => Promise<unknown>) => {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
};

export async function benchObjectStorage(): Promise<void> {
  const count = Number(process.env.PIPELINE_BENCH_S3_IMAGES ?? 3670);
  const gateway = await startGateway(Number(process.env.PIPELINE_BENCH_S3_LATENCY_MS ?? 20));
  try {
    Object.assign(process.env, gateway.env);
    const local = await photos500(count);
    const store = new ObjectStore('s3', 'bench', {}, new RequestStats());
    await store.client.send(new CreateBucketCommand({ Bucket: 'bench' }));
    const dataset = await scanDataset(local);
    for await (const _ of inOrder(dataset.files, 32, async (f) => store.put(`images/${f.rel}`, readFileSync(f.path)))) void _;
    const shardsOut = join(SCRATCH, 'object-storage-shards');
    rmSync(shardsOut, { recursive: true, force: true });
    const partitions = Math.max(2, Math.round(count / 230));
    await convert({ input: `s3://bench/images`, out: 's3://bench/shards', partitions, workers: 2 });
    await convert({ input: local, out: shardsOut, partitions, workers: 2 });
    const imageKeys: string[] = [];
    for await (const o of store.list('images/')) imageKeys.push(o.key);
    const shardKeys: string[] = [];
    for await (const o of store.list('shards/')) if (o.key.endsWith('.tfrecord')) shardKeys.push(o.key);
    const shardBytes = (await Promise.all(shardKeys.map((k) => store.head(k)))).reduce((n, h) => n + (h?.size ?? 0), 0);

    const fetchImages = async (inFlight: number) => {
      const s = await seconds(async () => {
        for await (const _ of inOrder(imageKeys, inFlight, (k) => store.get(k))) void _;
      });
      return imageKeys.length / s;
    };
    const boto3 = async () => {
      const out = execFileSync(PYTHON, [join(PROJECT_ROOT, 'bench', 'boto3_images.py'), gateway.env.AWS_ENDPOINT_URL, 'bench', 'images/', '32'], { encoding: 'utf8', env: process.env });
      return (JSON.parse(out) as { objects_per_second: number }).objects_per_second;
    };
    const images = await alternate(ROUNDS, { ours: () => fetchImages(32), boto3 });

    const readShards = async () => {
      let records = 0;
      const s = await seconds(async () => {
        for await (const n of inOrder(shardKeys, 4, async (k) => {
          let c = 0;
          for await (const _ of readRecords(store.url(k))) c++;
          return c;
        })) records += n;
      });
      if (records !== dataset.files.length) throw new Error(`read ${records} records, expected ${dataset.files.length}`);
      return shardBytes / s / 1e6;
    };
    const plainGets = async () => {
      const s = await seconds(async () => {
        for await (const _ of inOrder(shardKeys, 4, async (k) => {
          const r = await store.client.send(new GetObjectCommand({ Bucket: 'bench', Key: k }));
          for await (const _chunk of r.Body as AsyncIterable<Uint8Array>) void _chunk;
        })) void _;
      });
      return shardBytes / s / 1e6;
    };
    const shards = await alternate(ROUNDS, { ours: readShards, ceiling: plainGets });

    const sweep: Record<string, number> = {};
    for (const n of [1, 4, 16, 32, 64]) sweep[n] = round((await alternate(2, { x: () => fetchImages(n) })).x, 1);

    // The study's figure: TFRecord / images throughput on local disk and on the bucket, one small grid each.
    const grid = ['--batch-sizes', '32', '--batch-numbers', String(Math.max(2, Math.floor(count / 64))), '--repetitions', '1,2', '--warmup', '0', '--workers', '2', '--quiet'];
    const ratio = (images: string, tfrecords: string) => {
      const out = join(SCRATCH, 'object-storage-run');
      rmSync(out, { recursive: true, force: true });
      execFileSync(process.execPath, [join(PROJECT_ROOT, 'bin', 'pipeline.js'), 'speedtest', '--images', images, '--tfrecords', tfrecords, '--out', out, ...grid], { env: process.env, stdio: 'ignore' });
      const rows = parse(readFileSync(join(out, 'measurements.csv')), { columns: true, cast: true }) as { dataset: string; images_per_second: number }[];
      const median = (d: string) => {
        const v = rows.filter((r) => r.dataset === d).map((r) => r.images_per_second).sort((a, b) => a - b);
        return v[Math.floor(v.length / 2)];
      };
      const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
      return { images: round(median('images'), 1), tfrecord: round(median('tfrecord'), 1), ratio: round(median('tfrecord') / median('images'), 2), requests: run.objectStorage ?? null };
    };
    const onDisk = ratio(local, shardsOut);
    const onBucket = ratio('s3://bench/images', 's3://bench/shards');

    const imagesRatio = images.ours / images.boto3;
    const shardsRatio = shards.ours / shards.ceiling;
    writeResult('object-storage', {
      server: 'Ceph RADOS Gateway (Debian ceph 16.2, memstore), scripts/s3-gateway.sh',
      latencyMs: gateway.latencyMs,
      ...(gateway.latencyNote ? { latencyNote: gateway.latencyNote } : {}),
      images: { objects: imageKeys.length, oursObjectsPerSecond: round(images.ours, 1), boto3ObjectsPerSecond: round(images.boto3, 1), ratio: round(imagesRatio, 3), goal: 'at least boto3 on a 32-thread pool (ratio >= 1)', met: imagesRatio >= 1 },
      shards: { objects: shardKeys.length, bytes: shardBytes, oursMBps: round(shards.ours, 1), plainGetMBps: round(shards.ceiling, 1), ratio: round(shardsRatio, 3), goal: 'at least 0.8 of a plain parallel GET loop', met: shardsRatio >= 0.8 },
      ioConcurrency: { objectsPerSecondByInFlight: sweep, default: DEFAULT_IO_CONCURRENCY },
      study: { localDisk: onDisk, bucket: onBucket, bucketRatioOverLocalRatio: round(onBucket.ratio / onDisk.ratio, 2), goal: 'the TFRecord / images ratio on the bucket several times the one on local disk', met: onBucket.ratio / onDisk.ratio >= 2 },
      rounds: ROUNDS,
      command: `PIPELINE_BENCH_S3_IMAGES=${count} PIPELINE_BENCH_S3_LATENCY_MS=${gateway.latencyMs} npm run bench -- object-storage`,
    });
  } finally {
    gateway.stop();
  }
}

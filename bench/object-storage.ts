/**
 * object-storage: reads from a real S3 server (Ceph RGW, scripts/s3-gateway.sh), optionally behind
 * netem latency in a network namespace of our own (a cloud bucket's round trip on one machine).
 *
 * - images: every image object fetched by our client (as speedtest reads them: --io-concurrency's
 *   default in flight, a new GET as soon as any ends) against bench/boto3_images.py (boto3 on a
 *   32-thread pool), same objects, alternating, best of 3; with each side's CPU seconds (user +
 *   system of its own process) per 1,000 GETs, the figure that holds on a shared machine.
 * - shards: our TFRecord reader over the shard objects (framing + CRC, 4 shards at a time) against
 *   a plain parallel GET loop over the same objects (the ceiling), best of 3 each.
 * - io-concurrency: image objects/s with 1, 4, 16, 32, 64 GETs in flight (the default's measurement),
 *   over a fixed sample of the image objects (PIPELINE_BENCH_S3_SWEEP_SAMPLE, default the first 200
 *   keys): one GET in flight over all 3,670 objects at 20+ ms each would take minutes per round, and
 *   a rate needs only enough requests to be steady.
 * - study: `pipeline speedtest` TFRecord / images throughput ratio on local disk and on the bucket.
 *
 * Sizes: PIPELINE_BENCH_S3_IMAGES (default 3670, the flowers count), PIPELINE_BENCH_S3_LATENCY_MS
 * (default 20; 0 for none; netem needs root and iproute2, else bench/latency-proxy.ts adds it).
 * Each phase prints its elapsed time on stderr. The gateway's daemons are stopped by pid on every
 * way out: normal end, an exception, SIGINT or SIGTERM. Writes reports/bench/object-storage.json.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse/sync';
import { inOrder } from '../src/async/in-order.js';
import { inOrderAhead } from '../src/async/in-order-ahead.js';
import { convert } from '../src/convert/convert.js';
import { scanDataset } from '../src/dataset/scan.js';
import { ObjectStore } from '../src/storage/object-store.js';
import { RequestStats } from '../src/storage/request-stats.js';
import { readRecordGroups } from '../src/tfrecord/reader.js';
import { PROJECT_ROOT } from '../src/version.js';
import { DEFAULT_IO_CONCURRENCY } from '../src/options/storage.js';
import { photos500 } from './datasets.js';
import { PYTHON, round, SCRATCH, writeResult } from './util.js';

const ROUNDS = 3;
const SCRIPT = join(PROJECT_ROOT, 'scripts', 's3-gateway.sh');

/** Child processes of this bench still running: killed with the gateway on any way out. */
const children = new Set<ChildProcess>();
/** Cleanups, run once, in reverse order, on the way out (synchronous: they run in 'exit' and signal handlers too). */
const cleanups: (() => void)[] = [];
function cleanUp(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  while (cleanups.length) {
    try {
      cleanups.pop()!();
    } catch (error) {
      console.error(`object-storage: cleanup failed: ${(error as Error).message}`);
    }
  }
}
function onSignal(signal: NodeJS.Signals): void {
  console.error(`object-storage: ${signal}, stopping the gateway`);
  cleanUp();
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

/** A child process run to its end (async, so a signal is handled at once); its stdout. */
function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      children.delete(child);
      if (code === 0) resolve(out);
      else reject(new Error(`${command} ${args.slice(0, 2).join(' ')} exited ${code ?? signal}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

/** Prints each phase's elapsed time (and the total) on stderr, so a long run shows where it is. */
function phases(): (name: string) => void {
  const began = performance.now();
  let last = began;
  return (name) => {
    const now = performance.now();
    console.error(`object-storage: ${name} done in ${((now - last) / 1000).toFixed(1)} s (total ${((now - began) / 1000).toFixed(1)} s)`);
    last = now;
  };
}

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
  // Registered before anything starts: a start cut short by a signal still stops what came up.
  cleanups.push(() => {
    spawnSync('bash', [SCRIPT, 'stop', dir]);
    if (netns) spawnSync('ip', ['netns', 'del', ns]);
  });
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
  await run('bash', [SCRIPT, 'start', dir], { env: { ...process.env, ...(netns ? { NETNS: ns, ADDRESS: '10.219.0.2' } : {}) } });
  const env = Object.fromEntries(readFileSync(join(dir, 'env'), 'utf8').trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  // No netem here (a container's kernel): the same round trip from a delaying proxy in its own process.
  let proxy: ReturnType<typeof spawn> | undefined;
  if (latencyMs > 0 && !netns) {
    const target = new URL(env.AWS_ENDPOINT_URL);
    proxy = spawn(process.execPath, [join(PROJECT_ROOT, 'dist', 'bench', 'latency-proxy.js'), target.hostname, target.port, String(latencyMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.add(proxy);
    const line = await new Promise<string>((resolve) => proxy!.stdout!.once('data', (d) => resolve(String(d))));
    const port = /listening (\d+)/.exec(line)![1];
    env.AWS_ENDPOINT_URL = `http://127.0.0.1:${port}`;
    note = `${note}; instead a userspace proxy adds ${latencyMs} ms a round trip (bench/latency-proxy.ts)`;
  }
  return {
    env: { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    latencyMs: netns || proxy ? latencyMs : 0,
    latencyNote: note,
    stop: cleanUp,
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
  const sweepSample = Number(process.env.PIPELINE_BENCH_S3_SWEEP_SAMPLE ?? 200);
  const done = phases();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', cleanUp);
  const gateway = await startGateway(Number(process.env.PIPELINE_BENCH_S3_LATENCY_MS ?? 20));
  done(`gateway (latency ${gateway.latencyMs} ms)`);
  try {
    Object.assign(process.env, gateway.env);
    const local = await photos500(count);
    done(`${count} local images`);
    const store = new ObjectStore('s3', 'bench', {}, new RequestStats());
    await store.client.send(new CreateBucketCommand({ Bucket: 'bench' }));
    const dataset = await scanDataset(local);
    for await (const _ of inOrder(dataset.files, 32, async (f) => store.put(`images/${f.rel}`, readFileSync(f.path)))) void _;
    done('upload of the images');
    const shardsOut = join(SCRATCH, 'object-storage-shards');
    rmSync(shardsOut, { recursive: true, force: true });
    const partitions = Math.max(2, Math.round(count / 230));
    await convert({ input: `s3://bench/images`, out: 's3://bench/shards', partitions, workers: 2 });
    await convert({ input: local, out: shardsOut, partitions, workers: 2 });
    done(`converts (${partitions} shards, bucket and local)`);
    const imageKeys: string[] = [];
    for await (const o of store.list('images/')) imageKeys.push(o.key);
    const shardKeys: string[] = [];
    for await (const o of store.list('shards/')) if (o.key.endsWith('.tfrecord')) shardKeys.push(o.key);
    const shardBytes = (await Promise.all(shardKeys.map((k) => store.head(k)))).reduce((n, h) => n + (h?.size ?? 0), 0);

    // CPU seconds (user + system) per 1,000 GETs of each side's own process, best round each: on a
    // machine whose 2 cores the gateway and the latency proxy share, the objects/s of a side depend on
    // what the others do, while the CPU a reader spends per GET is its own and holds under load.
    const cpuPer1000: Record<string, number[]> = { ours: [], boto3: [] };
    const fetchImages = async (keys: readonly string[], inFlight: number) => {
      const cpu = process.cpuUsage();
      const s = await seconds(async () => {
        // As speedtest reads image objects (src/speedtest/sources.ts): a new GET as soon as any ends.
        for await (const _ of inOrderAhead(keys, inFlight, (k) => store.get(k))) void _;
      });
      const used = process.cpuUsage(cpu);
      return { perSecond: keys.length / s, cpuPer1000: ((used.user + used.system) / 1e6 / keys.length) * 1000 };
    };
    const ours = async () => {
      const r = await fetchImages(imageKeys, DEFAULT_IO_CONCURRENCY);
      cpuPer1000.ours.push(r.cpuPer1000);
      return r.perSecond;
    };
    const boto3 = async () => {
      const out = await run(PYTHON, [join(PROJECT_ROOT, 'bench', 'boto3_images.py'), gateway.env.AWS_ENDPOINT_URL, 'bench', 'images/', '32']);
      const r = JSON.parse(out) as { objects_per_second: number; cpu_seconds_per_1000_gets: number };
      cpuPer1000.boto3.push(r.cpu_seconds_per_1000_gets);
      return r.objects_per_second;
    };
    const images = await alternate(ROUNDS, { ours, boto3 });
    const cpu = { ours: Math.min(...cpuPer1000.ours), boto3: Math.min(...cpuPer1000.boto3) };
    done(`images: ours vs boto3 (${imageKeys.length} objects, best of ${ROUNDS})`);

    // Both sides: the same shard objects, the same number in flight, the same client and connection
    // pool (ObjectStore's GET); ours adds what a reader needs: framing, length and data CRCs.
    const shardsInFlight = Math.min(shardKeys.length, SHARDS_IN_FLIGHT);
    const readShards = async () => {
      let records = 0;
      const s = await seconds(async () => {
        for await (const n of inOrder(shardKeys, shardsInFlight, async (k) => {
          let c = 0;
          for await (const group of readRecordGroups(store.url(k))) for (const _ of group) c++;
          return c;
        })) records += n;
      });
      if (records !== dataset.files.length) throw new Error(`read ${records} records, expected ${dataset.files.length}`);
      return shardBytes / s / 1e6;
    };
    const plainGets = async () => {
      let bytes = 0;
      const s = await seconds(async () => {
        for await (const n of inOrder(shardKeys, shardsInFlight, async (k) => {
          let b = 0;
          for await (const chunk of store.stream(k)) b += chunk.length;
          return b;
        })) bytes += n;
      });
      if (bytes !== shardBytes) throw new Error(`read ${bytes} bytes, expected ${shardBytes}`);
      return shardBytes / s / 1e6;
    };
    // One untimed pass of each first (code compiled, connections open), then measurements of at
    // least ~1.5 s each: one pass over 2-16 shards is a few hundred ms, where a time to first byte
    // or the first pass's compilation decided the ratio (0.46 on 1,200 images, while the CPU per
    // byte of the two differed by a third).
    await readShards();
    const once = await seconds(plainGets);
    const repeat = Math.max(1, Math.ceil(1.5 / once));
    const repeated = (fn: () => Promise<number>) => async () => {
      let sum = 0;
      for (let i = 0; i < repeat; i++) sum += 1 / (await fn());
      return repeat / sum;
    };
    const shards = await alternate(ROUNDS, { ours: repeated(readShards), ceiling: repeated(plainGets) });
    done(`shards: ours vs plain GET (${shardKeys.length} objects, ${shardsInFlight} in flight, ${repeat} passes a measurement, best of ${ROUNDS})`);

    const sample = imageKeys.slice(0, sweepSample);
    const sweep: Record<string, number> = {};
    for (const n of [1, 4, 16, 32, 64]) sweep[n] = round((await alternate(2, { x: async () => (await fetchImages(sample, n)).perSecond })).x, 1);
    done(`GETs in flight 1..64 (first ${sample.length} image objects, best of 2)`);

    // The study's figure: TFRecord / images throughput on local disk and on the bucket, one grid each.
    const localRun = join(SCRATCH, 'object-storage-run-local');
    const bucketRun = join(SCRATCH, 'object-storage-run-bucket');
    const onDisk = await studyRatio(local, shardsOut, count, localRun);
    done('study: speedtest on local disk');
    const onBucket = await studyRatio('s3://bench/images', 's3://bench/shards', count, bucketRun);
    done('study: speedtest on the bucket');
    // The study's readers asked for one object at a time (a map over files with no parallel reads):
    // the same bucket with --io-concurrency 1 shows the price of a request per small object that our
    // default (many GETs in flight) hides. A smaller grid: at one GET in flight a pass takes minutes.
    const serialRun = join(SCRATCH, 'object-storage-run-bucket-serial');
    const onBucketSerial = await studyRatio('s3://bench/images', 's3://bench/shards', Math.min(count, 8 * 64), serialRun, ['--io-concurrency', '1']);
    done('study: speedtest on the bucket, one GET in flight per reader (the study\'s way)');
    // Both grids in one report, as a user would compare them (summary.md, report.html, beside.csv).
    await run(process.execPath, [join(PROJECT_ROOT, 'bin', 'pipeline.js'), 'report', bucketRun, '--beside', localRun, '--quiet']);
    done(`report ${bucketRun} --beside ${localRun}`);

    const imagesRatio = images.ours / images.boto3;
    const shardsRatio = shards.ours / shards.ceiling;
    writeResult('object-storage', {
      server: 'Ceph RADOS Gateway (Debian ceph 16.2, memstore), scripts/s3-gateway.sh',
      latencyMs: gateway.latencyMs,
      ...(gateway.latencyNote ? { latencyNote: gateway.latencyNote } : {}),
      images: {
        objects: imageKeys.length, inFlight: DEFAULT_IO_CONCURRENCY,
        oursObjectsPerSecond: round(images.ours, 1), boto3ObjectsPerSecond: round(images.boto3, 1), ratio: round(imagesRatio, 3),
        goal: 'at least boto3 on a 32-thread pool (ratio >= 1)', met: imagesRatio >= 1,
        // The fair figure on a shared machine: each reader's own process, user + system, best round.
        oursCpuSecondsPer1000Gets: round(cpu.ours, 3), boto3CpuSecondsPer1000Gets: round(cpu.boto3, 3), boto3CpuOverOurs: round(cpu.boto3 / cpu.ours, 2),
      },
      shards: {
        objects: shardKeys.length, inFlight: shardsInFlight, passesPerMeasurement: repeat, bytes: shardBytes,
        oursMBps: round(shards.ours, 1), plainGetMBps: round(shards.ceiling, 1), ratio: round(shardsRatio, 3),
        goal: 'at least 0.8 of a plain parallel GET loop (same client, same objects in flight)', met: shardsRatio >= 0.8,
      },
      ioConcurrency: { objectsPerSecondByInFlight: sweep, sampleObjects: sample.length, default: DEFAULT_IO_CONCURRENCY },
      study: {
        report: `${bucketRun}/summary.md (pipeline report ${bucketRun} --beside ${localRun})`,
        localDisk: onDisk, bucket: onBucket, bucketRatioOverLocalRatio: round(onBucket.ratio / onDisk.ratio, 2),
        bucketOneGetInFlight: { ...onBucketSerial, grid: 'as the others, 8 batches of 32', ioConcurrency: 1 },
        bucketOneGetInFlightRatioOverLocalRatio: round(onBucketSerial.ratio / onDisk.ratio, 2),
        goal: "the TFRecord / images ratio on the bucket several times the one on local disk, with the study's one GET in flight per reader",
        met: onBucketSerial.ratio / onDisk.ratio >= 2,
        note: `with our default of ${DEFAULT_IO_CONCURRENCY} GETs in flight per reader the bucket's images read at about local speed, and the gap closes`,
      },
      rounds: ROUNDS,
      command: `PIPELINE_BENCH_S3_IMAGES=${count} PIPELINE_BENCH_S3_LATENCY_MS=${gateway.latencyMs} npm run bench -- object-storage`,
    });
  } finally {
    gateway.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', cleanUp);
  }
}

/** Shard objects read at once by both sides of the shards comparison. */
const SHARDS_IN_FLIGHT = 8;

/** `pipeline speedtest` on one images / TFRecord pair: the median images/s of each and their ratio. */
async function studyRatio(images: string, tfrecords: string, count: number, out: string, extra: string[] = []) {
  // One warm-up pass (the default): with none, each worker thread's first timed pass carried its
  // start-up (decoders loaded, code compiled: first_batch_ms 400 ms against 90 warm), which at smoke
  // sizes decided the local ratio (0.55 one run, 4.1 the next).
  const batches = String(Math.max(2, Math.floor(count / 64)));
  const grid = ['--batch-sizes', '32', '--batch-numbers', batches, '--repetitions', '1,2', '--warmup', '1', '--workers', '2', '--quiet', ...extra];
  rmSync(out, { recursive: true, force: true });
  await run(process.execPath, [join(PROJECT_ROOT, 'bin', 'pipeline.js'), 'speedtest', '--images', images, '--tfrecords', tfrecords, '--out', out, ...grid]);
  const rows = parse(readFileSync(join(out, 'measurements.csv')), { columns: true, cast: true }) as { dataset: string; images_per_second: number }[];
  const median = (d: string) => {
    const v = rows.filter((r) => r.dataset === d).map((r) => r.images_per_second).sort((a, b) => a - b);
    return v[Math.floor(v.length / 2)];
  };
  const runJson = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
  const images_ = median('images');
  const tfrecord = median('tfrecord');
  return { images: round(images_, 1), tfrecord: round(tfrecord, 1), ratio: round(tfrecord / images_, 2), requests: runJson.objectStorage ?? null };
}

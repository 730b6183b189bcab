/**
 * Cluster mode against local mode on this machine, same dataset, same run: convert with 2 worker
 * processes of 1 thread each over a real redis-server, and locally with 2 threads. Reports the
 * overhead and the time per job spent between Redis and the workers.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PROJECT_ROOT } from '../src/version.js';
import { photos500 } from './datasets.js';
import { round, SCRATCH, writeResult } from './util.js';
import { startRedis } from '../test/cluster/redis-server.js';

const BIN = join(PROJECT_ROOT, 'bin', 'pipeline.js');

function convertOnce(input: string, extra: string[]): { seconds: number; cluster?: Record<string, number> } {
  const out = join(SCRATCH, 'cluster-bench-out');
  rmSync(out, { recursive: true, force: true });
  const json = JSON.parse(execFileSync(process.execPath, [BIN, 'convert', input, '--out', out, '--partitions', '8', '--json', '--quiet', ...extra], { encoding: 'utf8' }));
  rmSync(out, { recursive: true, force: true });
  return json;
}

export async function benchCluster(): Promise<void> {
  const input = await photos500();
  // The tests' redis-server: a port outside the ephemeral range, up once it says it is ready.
  const redis = await startRedis();
  const url = redis.url;
  // Two worker processes of one thread each against one process of two threads: the same threads.
  const workers: ChildProcess[] = [0, 1].map(() => spawn(process.execPath, [BIN, 'worker', '--redis', url, '--workers', '1', '--quiet'], { stdio: 'ignore' }));
  await sleep(1500);
  try {
    const local: number[] = [];
    const cluster: number[] = [];
    let redisSecondsPerJob = 0;
    let pingSeconds = 0;
    // Alternate the two modes so that the machine's noise falls on both alike.
    for (let i = 0; i < 3; i++) {
      local.push(convertOnce(input, ['--workers', '2']).seconds);
      const c = convertOnce(input, ['--redis', url]);
      cluster.push(c.seconds);
      redisSecondsPerJob = Number(c.cluster?.redisSecondsPerJob ?? NaN);
      pingSeconds = Number(c.cluster?.pingSeconds ?? NaN);
    }
    const best = (xs: number[]) => Math.min(...xs);
    writeResult('cluster', {
      images: 3670,
      partitions: 8,
      localSeconds: local.map((s) => round(s, 3)),
      clusterSeconds: cluster.map((s) => round(s, 3)),
      overhead: round(best(cluster) / best(local) - 1, 3),
      redisSecondsPerJob: round(redisSecondsPerJob, 4),
      redisPingSeconds: round(pingSeconds, 5),
      secondsPerJob: round(Math.min(...cluster) / 8, 3),
      goal: 'overhead <= 0.10',
    });
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => once(w, 'exit')));
    await redis.stop();
  }
}

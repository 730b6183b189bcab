/**
 * The driver's side of cluster mode: one BullMQ flow per stage (a parent job, Spark's job) with
 * one child job per partition (Spark's tasks) on the task queue. `pipeline worker` processes run
 * them on their local pools; results and progress come back through QueueEvents
 * (src/cluster/stage-watch.ts). Jobs are retried with backoff, and a killed worker's jobs come back
 * through BullMQ's stalled-job check.
 */
import { randomUUID } from 'node:crypto';
import { FlowProducer, Job, Queue, QueueEvents } from 'bullmq';
import type { Executor } from '../pool/executor.js';
import { startHostFeed } from './host-stream.js';
import { connect, evictionWarning, maskUrl, PREFIX, STAGE_QUEUE, TASK_QUEUE, waitForRedis } from './redis.js';
import { StageWatch, type ClusterQueues, type Stage } from './stage-watch.js';
import { CLUSTER_TIMEOUTS } from '../options/cluster.js';

export { JOB_ATTEMPTS } from '../options/cluster.js';

export async function clusterExecutor(url: string, onInfo?: (message: string) => void): Promise<Executor> {
  const q = await openQueues(url, onInfo);
  let stages = 0;
  return {
    async runAll(name, tasks, onResult, signal) {
      // Job ids carry the id of the run that owns the output folder (src/output/lock.ts), so a
      // job in Redis always says which run it belongs to.
      const owner = (tasks[0] as { run?: { id?: unknown } } | undefined)?.run?.id;
      const runId = typeof owner === 'string' ? `${owner}.${++stages}` : randomUUID();
      const stage: Stage = { name, runId, ids: tasks.map((_, i) => `${runId}-${i}`) };
      q.stats.jobs += tasks.length;
      const watch = new StageWatch(q, stage, onResult as (value: any, index: number) => Promise<void>, signal);
      await watch.run(tasks);
      await measureStage(q, stage.ids, watch.receivedAt);
    },
    progress() {
      let items = 0;
      let kilobytes = 0;
      for (const p of q.progressByJob.values()) {
        items += p.items;
        kilobytes += p.kilobytes;
      }
      return { items, kilobytes };
    },
    async close() {
      // With Redis gone, BullMQ's close() waits for it forever: give it a moment, then drop the
      // connections (passed in, so BullMQ would not close them anyway).
      const closing = Promise.allSettled([q.events.close(), q.queue.close(), q.stageQueue.close(), q.flow.close()]);
      await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, CLUSTER_TIMEOUTS.closeMs))]);
      q.redis.disconnect();
      q.eventsConnection.disconnect();
    },
    stats: () => ({ ...q.stats }),
    hostFeed: () => startHostFeed(q.redis),
  };
}

/** Connects to Redis (one clear error when it is not there) and opens the driver's queues. */
async function openQueues(url: string, onInfo?: (message: string) => void): Promise<ClusterQueues> {
  const redis = connect(url, 'driver');
  try {
    await waitForRedis(redis, url);
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  const warning = await evictionWarning(redis);
  if (warning) onInfo?.(warning);

  const connection = redis;
  const flow = new FlowProducer({ connection, prefix: PREFIX });
  const queue = new Queue(TASK_QUEUE, { connection, prefix: PREFIX });
  const stageQueue = new Queue(STAGE_QUEUE, { connection, prefix: PREFIX });
  const eventsConnection = connect(url, 'driver');
  const events = new QueueEvents(TASK_QUEUE, { connection: eventsConnection, prefix: PREFIX });
  // BullMQ prints errors nobody listens to; a lost Redis is reported once, by runAll, instead.
  flow.on('error', () => undefined);
  queue.on('error', () => undefined);
  stageQueue.on('error', () => undefined);
  events.on('error', () => undefined);
  await events.waitUntilReady();
  const stats = { mode: 'cluster', redis: maskUrl(url), jobs: 0, retriedJobs: 0, stalledEvents: 0, failedAttempts: 0, redisSecondsPerJob: 0, pingSeconds: 0 };
  events.on('stalled', () => stats.stalledEvents++);
  return { url, redis, eventsConnection, flow, queue, stageQueue, events, progressByJob: new Map(), stats };
}

/**
 * Retried jobs, and the time each job spent on Redis rather than on its task: the worker's side
 * (taking the job, locks, storing the result: processing time less the task's own) plus the
 * completion event's trip to the driver. Waiting in the queue for a free worker is not Redis time
 * and is left out.
 */
async function measureStage(q: ClusterQueues, ids: string[], receivedAt: Map<string, number>): Promise<void> {
  let redisMs = 0;
  let counted = 0;
  for (const id of ids) {
    const job = await Job.fromId(q.queue, id).catch(() => undefined);
    if (!job) continue;
    if (job.attemptsMade > 1 || (job.stalledCounter ?? 0) > 0) q.stats.retriedJobs++;
    const taskSeconds = Number((job.returnvalue as { seconds?: number } | undefined)?.seconds);
    const received = receivedAt.get(id);
    if (job.processedOn && job.finishedOn && received && Number.isFinite(taskSeconds) && job.attemptsMade <= 1) {
      redisMs += Math.max(0, job.finishedOn - job.processedOn - taskSeconds * 1000) + Math.max(0, received - job.finishedOn);
      counted++;
    }
  }
  if (counted) q.stats.redisSecondsPerJob = redisMs / counted / 1000;
  const t0 = performance.now();
  await q.redis.ping().catch(() => undefined);
  q.stats.pingSeconds = (performance.now() - t0) / 1000;
}

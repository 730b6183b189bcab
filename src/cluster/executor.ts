/**
 * The driver's side of cluster mode: one BullMQ flow per stage (a parent job, Spark's job) with
 * one child job per partition (Spark's tasks) on the task queue. `pipeline worker` processes run
 * them on their local pools; results and progress come back through QueueEvents. Jobs are retried
 * with backoff, and a killed worker's jobs come back through BullMQ's stalled-job check.
 */
import { randomUUID } from 'node:crypto';
import { FlowProducer, Job, Queue, QueueEvents } from 'bullmq';
import { deserializeError, PipelineError, type SerializedError } from '../errors.js';
import type { Executor } from '../pool/executor.js';
import { startHostFeed } from './host-stream.js';
import { jobData } from './jobs.js';
import { connect, evictionWarning, maskUrl, PREFIX, STAGE_QUEUE, TASK_QUEUE, waitForRedis } from './redis.js';
import { REDIS_WATCHDOG_INTERVAL_MS } from '../options/intervals.js';

export const JOB_ATTEMPTS = 4;
/** Without a ready connection to Redis this long, the driver gives up (one clear error, exit 3). */
const LOST_AFTER_MS = 5000;

export async function clusterExecutor(url: string, onInfo?: (message: string) => void): Promise<Executor> {
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

  let stages = 0;
  let enqueued: Promise<void> = Promise.resolve();
  /** Removes a stage's jobs that no worker has taken, then the stage itself. */
  async function withdraw(ids: string[], stageId: string): Promise<void> {
    await enqueued;
    for (const id of ids) await queue.remove(id).catch(() => 0);
    await stageQueue.remove(stageId, { removeChildren: true }).catch(() => 0);
  }
  const progressByJob = new Map<string, { items: number; kilobytes: number }>();
  const stats = { mode: 'cluster', redis: maskUrl(url), jobs: 0, retriedJobs: 0, stalledEvents: 0, failedAttempts: 0, redisSecondsPerJob: 0, pingSeconds: 0 };
  events.on('stalled', () => stats.stalledEvents++);

  return {
    async runAll(name, tasks, onResult, signal) {
      // Job ids carry the id of the run that owns the output folder (src/output/lock.ts), so a
      // job in Redis always says which run it belongs to.
      const owner = (tasks[0] as { run?: { id?: unknown } } | undefined)?.run?.id;
      const runId = typeof owner === 'string' ? `${owner}.${++stages}` : randomUUID();
      const ids = tasks.map((_, i) => `${runId}-${i}`);
      const index = new Map(ids.map((id, i) => [id, i]));
      const receivedAt = new Map<string, number>();
      stats.jobs += tasks.length;
      await new Promise<void>((resolve, reject) => {
        let pending = tasks.length;
        let settled = false;
        const finish = (error?: unknown) => {
          if (settled) return;
          settled = true;
          cleanup();
          if (error) reject(error);
          else resolve();
        };
        const onCompleted = ({ jobId, returnvalue }: { jobId: string; returnvalue: unknown }) => {
          const i = index.get(jobId);
          if (i === undefined) return;
          receivedAt.set(jobId, Date.now());
          index.delete(jobId);
          const value = typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue;
          onResult(value, i).then(
            () => {
              if (--pending === 0) finish();
            },
            (error) => finish(error),
          );
        };
        const onFailed = async ({ jobId, failedReason }: { jobId: string; failedReason: string }) => {
          if (!index.has(jobId)) return;
          stats.failedAttempts++;
          const job = await Job.fromId(queue, jobId).catch(() => undefined);
          // Still has attempts left: BullMQ retries it after the backoff.
          if (job && job.attemptsMade < JOB_ATTEMPTS && !(await job.isFailed())) return;
          // The task's own error (code, message, worker's stack) when the worker sent one; BullMQ's otherwise (stalled too often).
          const sent = taskError(failedReason);
          finish(sent ?? new PipelineError('CLUSTER', `job ${jobId} (${name} ${index.get(jobId)}) failed after ${JOB_ATTEMPTS} attempts: ${failedReason}`));
        };
        const onProgress = ({ jobId, data }: { jobId: string; data: unknown }) => {
          if (index.has(jobId) && typeof data === 'object' && data) progressByJob.set(jobId, data as { items: number; kilobytes: number });
        };
        const onLost = () => finish(new PipelineError('CLUSTER', `lost the connection to Redis at ${maskUrl(url)}; rerun with --resume when it is back`));
        // A watchdog rather than only the 'end' event: while both connections retry, nothing else
        // keeps the process alive or tells the driver that Redis is gone.
        let readySince = Date.now();
        const watchdog = setInterval(() => {
          const ok = redis.status === 'ready' && eventsConnection.status === 'ready';
          if (ok) readySince = Date.now();
          else if (redis.status === 'end' || eventsConnection.status === 'end' || Date.now() - readySince > LOST_AFTER_MS) onLost();
        }, REDIS_WATCHDOG_INTERVAL_MS);
        // Stopped (SIGINT / SIGTERM): take this run's jobs out of the queues first, so that no
        // worker runs them for a run that is gone. Running jobs cannot be removed (a worker holds
        // their lock); they find the run no longer owns the folder and commit nothing.
        const onAbort = () => {
          void Promise.race([withdraw(ids, `${runId}-stage`), new Promise((r) => setTimeout(r, 2000))]).finally(() => finish(signal!.reason));
        };
        const cleanup = () => {
          clearInterval(watchdog);
          events.off('completed', onCompleted);
          events.off('failed', onFailed);
          events.off('progress', onProgress);
          redis.off('end', onLost);
          signal?.removeEventListener('abort', onAbort);
        };
        events.on('completed', onCompleted);
        events.on('failed', onFailed);
        events.on('progress', onProgress);
        redis.once('end', onLost);
        signal?.addEventListener('abort', onAbort, { once: true });
        enqueued = flow
          .add({
            name: `${name}-stage`,
            queueName: STAGE_QUEUE,
            data: { runId, tasks: tasks.length },
            opts: { jobId: `${runId}-stage`, removeOnComplete: true },
            children: tasks.map((task, i) => ({
              name,
              queueName: TASK_QUEUE,
              // The worker checks the job's shape and the driver's build before it runs it (src/cluster/jobs.ts).
              data: jobData(task),
              opts: { jobId: ids[i], attempts: JOB_ATTEMPTS, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { age: 3600 }, removeOnFail: { age: 24 * 3600 } },
            })),
          })
          .then(
            () => undefined,
            (error) => finish(new PipelineError('CLUSTER', `cannot enqueue jobs on Redis at ${maskUrl(url)}: ${(error as Error).message}`)),
          );
      });
      // Retried jobs, and the time each job spent on Redis rather than on its task: the worker's
      // side (taking the job, locks, storing the result: processing time less the task's own) plus
      // the completion event's trip to the driver. Waiting in the queue for a free worker is not
      // Redis time and is left out.
      let redisMs = 0;
      let counted = 0;
      for (const id of ids) {
        const job = await Job.fromId(queue, id).catch(() => undefined);
        if (!job) continue;
        if (job.attemptsMade > 1 || (job.stalledCounter ?? 0) > 0) stats.retriedJobs++;
        const taskSeconds = Number((job.returnvalue as { seconds?: number } | undefined)?.seconds);
        const received = receivedAt.get(id);
        if (job.processedOn && job.finishedOn && received && Number.isFinite(taskSeconds) && job.attemptsMade <= 1) {
          redisMs += Math.max(0, job.finishedOn - job.processedOn - taskSeconds * 1000) + Math.max(0, received - job.finishedOn);
          counted++;
        }
      }
      if (counted) stats.redisSecondsPerJob = redisMs / counted / 1000;
      const t0 = performance.now();
      await redis.ping().catch(() => undefined);
      stats.pingSeconds = (performance.now() - t0) / 1000;
    },
    progress() {
      let items = 0;
      let kilobytes = 0;
      for (const p of progressByJob.values()) {
        items += p.items;
        kilobytes += p.kilobytes;
      }
      return { items, kilobytes };
    },
    async close() {
      // With Redis gone, BullMQ's close() waits for it forever: give it 2 s, then drop the
      // connections (passed in, so BullMQ would not close them anyway).
      await Promise.race([Promise.allSettled([events.close(), queue.close(), stageQueue.close(), flow.close()]), new Promise((resolve) => setTimeout(resolve, 2000))]);
      redis.disconnect();
      eventsConnection.disconnect();
    },
    stats: () => ({ ...stats }),
    hostFeed: () => startHostFeed(redis),
  };
}

/** A task's error as the cluster worker sent it (JSON in the job's failed reason), rebuilt; undefined for BullMQ's own reasons. */
function taskError(failedReason: string): Error | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(failedReason);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  const { code, message } = parsed as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || typeof message !== 'string') return undefined;
  return deserializeError({ ...(parsed as SerializedError), code, message });
}

/**
 * One stage of the cluster executor (src/cluster/executor.ts) while it runs: its flow enqueued on
 * Redis, its jobs' completion, failure and progress events followed until every result is in, the
 * first failure, a lost Redis, or a stop.
 */
import { Job, type FlowProducer, type Queue, type QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { deserializeError, PipelineError, type SerializedError } from '../errors.js';
import { REDIS_WATCHDOG_INTERVAL_MS } from '../options/intervals.js';
import { CLUSTER_TIMEOUTS, JOB_ATTEMPTS, JOB_BACKOFF_MS, KEEP_COMPLETED_JOBS_S, KEEP_FAILED_JOBS_S } from '../options/cluster.js';
import { jobData } from './jobs.js';
import { maskUrl, STAGE_QUEUE, TASK_QUEUE } from './redis.js';
import type { TaskName } from '../pool/protocol.js';

export { JOB_ATTEMPTS } from '../options/cluster.js';

/** The driver's connections and queues, opened once per executor, and what it counts across stages. */
export interface ClusterQueues {
  url: string;
  redis: Redis;
  eventsConnection: Redis;
  flow: FlowProducer;
  queue: Queue;
  stageQueue: Queue;
  events: QueueEvents;
  progressByJob: Map<string, { items: number; kilobytes: number }>;
  stats: {
    mode: string;
    redis: string;
    jobs: number;
    retriedJobs: number;
    stalledEvents: number;
    failedAttempts: number;
    redisSecondsPerJob: number;
    pingSeconds: number;
  };
}

/** A stage's identity on Redis: its run id (the parent job is `<runId>-stage`) and one job id per task. */
export interface Stage {
  name: TaskName;
  runId: string;
  ids: string[];
}

export class StageWatch {
  /** When the driver heard of each job's completion (for the Redis time per job). */
  readonly receivedAt = new Map<string, number>();
  private readonly index: Map<string, number>;
  private pending: number;
  private settled = false;
  private readySince = Date.now();
  private watchdog?: NodeJS.Timeout;
  private enqueued: Promise<void> = Promise.resolve();
  private resolve!: () => void;
  private reject!: (error: unknown) => void;

  constructor(
    private readonly q: ClusterQueues,
    private readonly stage: Stage,
    private readonly onResult: (value: any, index: number) => Promise<void>,
    private readonly signal?: AbortSignal,
  ) {
    this.index = new Map(stage.ids.map((id, i) => [id, i]));
    this.pending = stage.ids.length;
  }

  /** Enqueues the stage's jobs and resolves once every result has been handed to onResult. */
  run(tasks: readonly unknown[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      this.listen();
      this.enqueue(tasks);
    });
  }

  private listen(): void {
    const { events, redis, eventsConnection } = this.q;
    // A watchdog rather than only the 'end' event: while both connections retry, nothing else
    // keeps the process alive or tells the driver that Redis is gone.
    this.watchdog = setInterval(() => {
      const ok = redis.status === 'ready' && eventsConnection.status === 'ready';
      if (ok) this.readySince = Date.now();
      else if (redis.status === 'end' || eventsConnection.status === 'end' || Date.now() - this.readySince > CLUSTER_TIMEOUTS.redisLostAfterMs) this.onLost();
    }, REDIS_WATCHDOG_INTERVAL_MS);
    events.on('completed', this.onCompleted);
    events.on('failed', this.onFailed);
    events.on('progress', this.onProgress);
    redis.once('end', this.onLost);
    this.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  private cleanup(): void {
    const { events, redis } = this.q;
    clearInterval(this.watchdog);
    events.off('completed', this.onCompleted);
    events.off('failed', this.onFailed);
    events.off('progress', this.onProgress);
    redis.off('end', this.onLost);
    this.signal?.removeEventListener('abort', this.onAbort);
  }

  private finish(error?: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.cleanup();
    if (error) this.reject(error);
    else this.resolve();
  }

  private enqueue(tasks: readonly unknown[]): void {
    const { name, runId, ids } = this.stage;
    this.enqueued = this.q.flow
      .add({
        name: `${name}-stage`,
        queueName: STAGE_QUEUE,
        data: { runId, tasks: tasks.length },
        opts: { jobId: `${runId}-stage`, removeOnComplete: true },
        children: tasks.map((task, i) => ({
          name,
          queueName: TASK_QUEUE,
          // The worker checks the job's shape and the driver's build before it runs it (src/cluster/jobs.ts).
          data: jobData(task as never),
          opts: { jobId: ids[i], attempts: JOB_ATTEMPTS, backoff: { type: 'exponential', delay: JOB_BACKOFF_MS }, removeOnComplete: { age: KEEP_COMPLETED_JOBS_S }, removeOnFail: { age: KEEP_FAILED_JOBS_S } },
        })),
      })
      .then(
        () => undefined,
        (error) => this.finish(new PipelineError('CLUSTER', `cannot enqueue jobs on Redis at ${maskUrl(this.q.url)}: ${(error as Error).message}`)),
      );
  }

  private readonly onCompleted = ({ jobId, returnvalue }: { jobId: string; returnvalue: unknown }) => {
    const i = this.index.get(jobId);
    if (i === undefined) return;
    this.receivedAt.set(jobId, Date.now());
    this.index.delete(jobId);
    const value = typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue;
    this.onResult(value, i).then(
      () => {
        if (--this.pending === 0) this.finish();
      },
      (error) => this.finish(error),
    );
  };

  private readonly onFailed = async ({ jobId, failedReason }: { jobId: string; failedReason: string }) => {
    if (!this.index.has(jobId)) return;
    this.q.stats.failedAttempts++;
    const job = await Job.fromId(this.q.queue, jobId).catch(() => undefined);
    // Still has attempts left: BullMQ retries it after the backoff.
    if (job && job.attemptsMade < JOB_ATTEMPTS && !(await job.isFailed())) return;
    // The task's own error (code, message, worker's stack) when the worker sent one; BullMQ's otherwise (stalled too often).
    const sent = taskError(failedReason);
    const attempts = `failed after ${JOB_ATTEMPTS} attempts: ${failedReason}`;
    this.finish(sent ?? new PipelineError('CLUSTER', `job ${jobId} (${this.stage.name} ${this.index.get(jobId)}) ${attempts}`));
  };

  private readonly onProgress = ({ jobId, data }: { jobId: string; data: unknown }) => {
    if (this.index.has(jobId) && typeof data === 'object' && data) this.q.progressByJob.set(jobId, data as { items: number; kilobytes: number });
  };

  private readonly onLost = () => {
    this.finish(new PipelineError('CLUSTER', `lost the connection to Redis at ${maskUrl(this.q.url)}; rerun with --resume when it is back`));
  };

  // Stopped (SIGINT / SIGTERM): take this run's jobs out of the queues first, so that no
  // worker runs them for a run that is gone. Running jobs cannot be removed (a worker holds
  // their lock); they find the run no longer owns the folder and commit nothing.
  private readonly onAbort = () => {
    void Promise.race([this.withdraw(), new Promise((r) => setTimeout(r, CLUSTER_TIMEOUTS.closeMs))]).finally(() => this.finish(this.signal!.reason));
  };

  /** Removes the stage's jobs that no worker has taken, then the stage itself. */
  private async withdraw(): Promise<void> {
    await this.enqueued;
    for (const id of this.stage.ids) await this.q.queue.remove(id).catch(() => 0);
    await this.q.stageQueue.remove(`${this.stage.runId}-stage`, { removeChildren: true }).catch(() => 0);
  }
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

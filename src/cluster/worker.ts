/**
 * `pipeline worker --redis URL`: takes jobs from the task queue and runs them on this machine's
 * thread pool (the same task functions as local mode). SIGTERM / SIGINT: stop taking jobs, ask the
 * running ones to stop at their next image (the stop slot: they remove their partial files) and
 * hand them back to the queue for another worker (not a failed attempt), then exit. The pool is
 * destroyed only once no task runs on it: terminating a thread under a native addon aborts the process.
 */
import { hostname } from 'node:os';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { parseOptions } from '../options/define.js';
import { workerOptions, type WorkerOptionsInput, type WorkerSettings } from '../options/worker.js';
import type { Redis } from 'ioredis';
import type { Piscina } from 'piscina';
import { createPool, defaultWorkers } from '../pool/pool.js';
import { newProgressBuffer, PROGRESS_SLOTS, requestStop, type ProgressBuffer, type TaskInput, type TaskMessage, type TaskOutcome } from '../pool/protocol.js';
import { isTaskName } from '../tasks/names.js';
import { JOB_PROGRESS_INTERVAL_MS } from '../options/intervals.js';
import { serializeError } from '../errors.js';
import { checkJob, checkJobInputs } from './jobs.js';
import { defaultWorkerName, HostSampler } from '../hosts/sampler.js';
import { HostSender } from './host-stream.js';
import { claimWorkerName } from './worker-name.js';
import { claimWorkerSlots, type SlotClaim } from './worker-slots.js';
import { CLUSTER_TIMEOUTS, MAX_STALLED_COUNT } from '../options/cluster.js';
import { connect, evictionWarning, maskUrl, PREFIX, STAGE_QUEUE, TASK_QUEUE, waitForRedis } from './redis.js';

/** `redis`, `workers`, `lockMs` (how long a job's lock lives without renewal): src/options/worker.ts. */
export type WorkerOptions = WorkerOptionsInput & {
  signal: AbortSignal;
  onInfo?: (message: string) => void;
};

export interface WorkerResult {
  jobs: number;
  failed: number;
  /** Jobs stopped by this worker's shutdown and put back in the queue. */
  handedBack: number;
  seconds: number;
  name: string;
  /** Host rows that could not be sent to Redis in time (dropped, never waited for). */
  droppedSamples: number;
  sampler: { samples: number; busyMs: number; fractionOfOneCore: number };
}

export async function runWorker(input: WorkerOptions): Promise<WorkerResult> {
  const settings = parseOptions(workerOptions, input);
  const options: WorkerRun = { ...settings, workers: settings.workers ?? defaultWorkers(), signal: input.signal, onInfo: input.onInfo };
  const started = performance.now();
  const side = await connectWorker(options);
  const state: WorkerState = { counts: { jobs: 0, failed: 0, handedBack: 0 }, running: new Map(), stopping: false };
  const lockDuration = options.lockMs;
  const tasks = new Worker(TASK_QUEUE, (job: Job, token?: string) => processJob(job, token, side.pool, state, options), {
    connection: side.redis,
    prefix: PREFIX,
    concurrency: options.workers,
    lockDuration,
    stalledInterval: Math.max(CLUSTER_TIMEOUTS.minStalledIntervalMs, Math.floor(lockDuration / 2)),
    maxStalledCount: MAX_STALLED_COUNT,
  });
  // The parent job of a stage completes when its children have: it gathers their results.
  const stages = new Worker(STAGE_QUEUE, async (job: Job) => Object.keys(await job.getChildrenValues()).length, {
    connection: side.stageConnection,
    prefix: PREFIX,
  });
  tasks.on('error', () => undefined);
  stages.on('error', () => undefined);
  options.onInfo?.(`worker ${side.name}: ${options.workers} thread(s), taking jobs from ${maskUrl(options.redis)}`);

  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    options.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await shutdown(side, state, [tasks, stages], options);
  const { sender, sampler } = side;
  return { ...state.counts, seconds: (performance.now() - started) / 1000, name: side.name, droppedSamples: sender.dropped, sampler: sampler.cost };
}

type WorkerRun = Omit<WorkerSettings, 'workers'> & { workers: number; signal: AbortSignal; onInfo?: (message: string) => void };

/** What a worker holds open while it runs: its connections, name, pool and host sampling. */
interface WorkerSide {
  redis: Redis;
  stageConnection: Redis;
  sampleConnection: Redis;
  name: string;
  nameClaim: { release(): Promise<void> };
  /** This worker's thread numbers (the `worker` of its rows), registered beside its name. */
  slotClaim: SlotClaim;
  pool: Piscina;
  sampler: HostSampler;
  sender: HostSender;
}

/** The jobs this worker has run, and the ones running now (their stop slots and runs on the pool). */
interface WorkerState {
  counts: { jobs: number; failed: number; handedBack: number };
  running: Map<ProgressBuffer, Promise<unknown>>;
  stopping: boolean;
}

async function connectWorker(options: WorkerRun): Promise<WorkerSide> {
  const redis = connect(options.redis, 'worker');
  const stageConnection = connect(options.redis, 'worker');
  await waitForRedis(redis, options.redis, CLUSTER_TIMEOUTS.workerConnectMs);
  const name = options.name ?? defaultWorkerName();
  const nameClaim = await claimWorkerName(redis, name).catch((error) => {
    redis.disconnect();
    stageConnection.disconnect();
    throw error;
  });
  const slotClaim = await claimWorkerSlots(redis, name, options.workers).catch(async (error) => {
    await nameClaim.release();
    redis.disconnect();
    stageConnection.disconnect();
    throw error;
  });
  const warning = await evictionWarning(redis);
  if (warning) options.onInfo?.(warning);
  const pool = createPool(options.workers, { numbers: slotClaim.numbers });
  // Host samples travel on their own connection so a backlog of them never delays a job's commands.
  const sampleConnection = connect(options.redis, 'worker');
  let sampler: HostSampler | undefined;
  const sender = new HostSender({
    redis: sampleConnection, host: name, machine: hostname(), maxPending: options.sampleBuffer,
    cost: () => sampler!.cost, missing: () => sampler!.missing, linkBytesPerSecond: () => sampler!.linkBytesPerSecond,
  });
  sampler = new HostSampler({ host: name, role: 'worker', intervalMs: options.hostIntervalMs, onRow: (row) => sender.push(row) }).start();
  sender.start();
  return { redis, stageConnection, sampleConnection, name, nameClaim, slotClaim, pool, sampler, sender };
}

async function handBack(job: Job, token: string | undefined, state: WorkerState): Promise<never> {
  await job.moveToWait(token);
  state.counts.handedBack++;
  throw new WaitingError();
}

/** One job from the task queue, run on this machine's pool: its result, or a failed attempt. */
async function processJob(job: Job, token: string | undefined, pool: Piscina, state: WorkerState, options: WorkerRun): Promise<unknown> {
  if (state.stopping) return handBack(job, token, state);
  const progress = newProgressBuffer();
  const counters = new Int32Array(progress);
  const ticker = setInterval(() => {
    void job
      .updateProgress({ items: Atomics.load(counters, PROGRESS_SLOTS.items), kilobytes: Atomics.load(counters, PROGRESS_SLOTS.kilobytes) })
      .catch(() => undefined);
  }, JOB_PROGRESS_INTERVAL_MS);
  try {
    const name = job.name;
    // A job name that is not one of our tasks is refused (a foreign producer on the queue), not run.
    if (!isTaskName(name)) throw new UnrecoverableError(JSON.stringify({ code: 'CLUSTER', message: `unknown task ${JSON.stringify(name)}`, pipeline: true }));
    // Nothing in Redis is trusted: a job whose shape, paths or build do not check out is
    // refused (not retried) and said here and to the driver (src/cluster/jobs.ts).
    let input: TaskInput<typeof name>;
    try {
      input = checkJob(name, job.data, job.id);
      // A convert job reads only images inside its run's inputs, as its driver recorded them.
      await checkJobInputs(name, input, job.id);
    } catch (error) {
      // A refusal is final; an input record that could not be read (a bucket unreachable) is a failed attempt.
      if ((error as { code?: string }).code !== 'CLUSTER') throw error;
      options.onInfo?.(`warning: ${(error as Error).message}`);
      throw new UnrecoverableError(JSON.stringify(serializeError(error)));
    }
    const message: TaskMessage<typeof name> = { input, progress };
    const run: Promise<TaskOutcome<typeof name>> = pool.run(message, { name });
    state.running.set(progress, run.catch(() => undefined));
    const outcome = await run;
    // Stopped by this worker's shutdown: another worker does it (no attempt is counted).
    if (!outcome.ok && state.stopping && outcome.error.code === 'ABORTED') return await handBack(job, token, state);
    // A task that reports an error is a failed attempt: BullMQ retries it with backoff. The
    // error travels as JSON (code, message, stack) in the failed reason, for the driver to rebuild.
    if (!outcome.ok) {
      const reason = JSON.stringify(outcome.error);
      // A job of a run that no longer owns its output folder: retrying cannot help.
      if (outcome.error.code === 'STALE_RUN') throw new UnrecoverableError(reason);
      throw new Error(reason);
    }
    state.counts.jobs++;
    return outcome.value;
  } catch (error) {
    if (!(error instanceof WaitingError)) state.counts.failed++;
    throw error;
  } finally {
    state.running.delete(progress);
    clearInterval(ticker);
  }
}

/** Stops taking jobs, hands the running ones back once they stop, then lets the threads and connections go. */
async function shutdown(side: WorkerSide, state: WorkerState, queues: Worker[], options: WorkerRun): Promise<void> {
  state.stopping = true;
  options.onInfo?.(`stopping: ${state.running.size} running job(s) asked to stop and handed back to the queue`);
  for (const progress of state.running.keys()) requestStop(progress);
  // Without Redis, closing would wait for it forever: give up after a while (the jobs' locks expire
  // and other workers take them).
  const closing = Promise.allSettled(queues.map((q) => q.close()));
  await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, CLUSTER_TIMEOUTS.workerCloseMs).unref())]);
  // The tasks end at their next image; only then may the threads go.
  await Promise.all(state.running.values());
  await side.pool.destroy();
  side.sampler.stop();
  await side.sender.stop();
  if (side.sender.dropped > 0) options.onInfo?.(`${side.sender.dropped} host sample(s) dropped: Redis could not take them in time`);
  const releases = Promise.all([side.nameClaim.release(), side.slotClaim.release()]);
  await Promise.race([releases, new Promise((resolve) => setTimeout(resolve, CLUSTER_TIMEOUTS.closeMs).unref())]);
  side.redis.disconnect();
  side.stageConnection.disconnect();
  side.sampleConnection.disconnect();
}

/**
 * A cluster job is data from Redis, and anyone who can write to that Redis can write a job: the
 * worker runs only what it can check. Each job is `{build, input}`: the driver's build (which must
 * be the worker's own, or the shards of a cluster run would differ from a local run's) and the
 * task's input, checked by one strict zod schema per task name (unknown fields refused). A convert
 * job may write only its own shard and index, plain names inside the folder of the run it names;
 * the worker's lock check (src/output/lock.ts) then requires that run to hold that folder. It may
 * read only images inside the run's inputs, as the driver recorded them in that folder
 * (run-inputs.ts, checked by checkJobInputs). Its fingerprint (what --resume keys a shard by) is
 * only carried back in the shard's entry: a forged one cannot make the job pass as another shard,
 * since the driver compares each returned entry with its own plan (src/convert/shard-entry.ts).
 */
import { isStorageUrl } from '../storage/url.js';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { z } from 'zod';
import { PipelineError } from '../errors.js';
import { scaledJpegStatus } from '../image/scaled-jpeg.js';
import { SHARD_FILE } from '../run-folder/ownership.js';
import type { TaskInput, TaskName } from '../pool/protocol.js';
import { VERSION } from '../version.js';
import { outsideInputs, readRunInputs } from './run-inputs.js';

/** What makes a worker's output bytes what they are: the tool's version, its code, libvips, zlib and the big-JPEG decoder. */
export interface BuildStamp {
  version: string;
  /** SHA-256 (first 16 hex digits) of the tool's own code files: another build of the same version differs. */
  code: string;
  vips: string;
  zlib: string;
  /** Big JPEGs' decoder: our scaled_jpeg.node and its libjpeg-turbo, or sharp's shrink-on-load without it. */
  jpeg: string;
}

let stamp: BuildStamp | undefined;

/** This process's build (computed once: hashing the code files takes a few milliseconds). */
export function buildStamp(): BuildStamp {
  stamp ??= { version: VERSION, code: codeHash(), vips: sharp.versions.vips ?? 'unknown', zlib: process.versions.zlib ?? 'unknown', jpeg: scaledJpegStatus.loaded ? `scaled_jpeg.node, ${scaledJpegStatus.libjpeg}` : 'sharp' };
  return stamp;
}

/** The code under the tool's source root (dist/src when built, src under tsx), in a stable order. */
function codeHash(): string {
  const root = dirname(dirname(fileURLToPath(import.meta.url)));
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(js|ts)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) hash.update(relative(root, path)).update('\0').update(readFileSync(path)).update('\0');
    }
  };
  walk(root);
  return hash.digest('hex').slice(0, 16);
}

const buildSchema = z.object({ version: z.string(), code: z.string(), vips: z.string(), zlib: z.string(), jpeg: z.string() }).strict();

/** A file on the worker's disk (absolute) or an object (s3:// / gs://: cluster mode with no shared disk). */
const absolutePathOrUrl = z.string().min(1).refine((p) => isAbsolute(p) || isStorageUrl(p), 'expected an absolute path or an s3:// / gs:// URL');
const storage = z.object({ endpoint: z.string().url().optional(), region: z.string().min(1).optional() }).strict().optional();
const count = z.number().int().nonnegative();
const positive = z.number().int().positive();
const run = z.object({ dir: absolutePathOrUrl, id: z.string().regex(/^[0-9a-f-]{36}$/, 'expected a run id') }).strict();

const convertInput = z
  .object({
    partition: count,
    files: z.array(z.object({ path: absolutePathOrUrl, rel: z.string(), label: count, className: z.string() }).strict()),
    shardPath: absolutePathOrUrl,
    indexPath: absolutePathOrUrl,
    // Copied into the shard's entry, never trusted: the driver checks that the entry it gets back
    // names the partition, files and fingerprint it planned (src/convert/shard-entry.ts).
    fingerprint: z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 in hex'),
    image: z
      .object({
        width: positive,
        height: positive,
        fit: z.enum(['cover', 'contain', 'fill']),
        format: z.enum(['jpeg', 'png']),
        quality: z.number().int().min(1).max(100),
        maxPixels: positive,
      })
      .strict(),
    compression: z.enum(['none', 'gzip', 'zlib']),
    keys: z.object({ image: z.string().min(1), class: z.string().min(1), label: z.string().min(1) }).strict().optional(),
    // Required here (optional in local mode): a cluster job is committed only while its run holds the folder.
    run,
    storage,
  })
  .strict()
  .superRefine((task, ctx) => {
    // The shard and its index: plain shard names directly inside the run's folder, nothing else.
    for (const key of ['shardPath', 'indexPath'] as const) {
      const path = task[key];
      if (dirname(path) !== task.run.dir || !SHARD_FILE.test(basename(path))) {
        ctx.addIssue({ code: 'custom', path: [key], message: `expected a shard file name directly inside the run's folder ${task.run.dir}, got ${JSON.stringify(path)}` });
      }
    }
  });

const speedtestInput = z
  .object({
    partition: count,
    tasks: z.array(
      z.object({ task: count, dataset: z.enum(['images', 'tfrecord']), cache: z.enum(['off', 'on']), batchSize: positive, batchNumber: positive }).strict(),
    ),
    // Read only (a speed-test job writes nothing): paths as the driver's user gave them.
    images: z.array(z.string().min(1)),
    shards: z.array(
      z
        .object({
          path: z.string().min(1),
          records: count,
          offsets: z.array(count).optional(),
          frames: count.optional(),
          framesPerRecord: z.array(count).optional(),
        })
        .strict(),
    ),
    width: positive.optional(),
    height: positive.optional(),
    channels: positive.optional(),
    layout: z
      .object({ image: z.string(), width: z.string().nullable(), height: z.string().nullable(), channels: positive.optional(), frames: z.boolean().optional() })
      .strict()
      .optional(),
    repetitions: positive,
    warmup: count,
    workers: positive,
    partitions: positive,
    cacheLimitBytes: count,
    runStartMs: z.number().finite(),
    run,
    storage,
    ioConcurrency: positive.optional(),
  })
  .strict();

const inputSchemas: { [N in TaskName]: z.ZodType<TaskInput<N>, z.ZodTypeDef, unknown> } = {
  convertPartition: convertInput,
  runSpeedtestJob: speedtestInput,
};

/** The job's data as the driver writes it to Redis. */
export interface JobData<N extends TaskName> {
  build: BuildStamp;
  input: TaskInput<N>;
}

export function jobData<N extends TaskName>(input: TaskInput<N>): JobData<N> {
  return { build: buildStamp(), input };
}

/**
 * The job's input, once checked: its shape (per task name, strict), its paths, and the driver's
 * build against this worker's. Throws a CLUSTER PipelineError saying what is wrong: the worker
 * refuses the job (not retried), the driver stops with that line.
 */
export function checkJob<N extends TaskName>(name: N, data: unknown, jobId: string | undefined): TaskInput<N> {
  const envelope = z.object({ build: buildSchema, input: z.unknown() }).strict().safeParse(data);
  if (!envelope.success) throw refused(name, jobId, `expected {build, input} written by pipeline's driver: ${issueLine(envelope.error)}`);
  const mine = buildStamp();
  const theirs = envelope.data.build;
  const differs = (Object.keys(mine) as (keyof BuildStamp)[]).filter((k) => mine[k] !== theirs[k]);
  if (differs.length) {
    throw refused(name, jobId, `the driver's build differs from this worker's (${differs.map((k) => `${k} ${theirs[k]} on the driver, ${mine[k]} here`).join('; ')}): a cluster run needs one build everywhere, or its shards would differ from a local run's; install the driver's build on this worker`);
  }
  const input = inputSchemas[name].safeParse(envelope.data.input);
  if (!input.success) throw refused(name, jobId, issueLine(input.error));
  const runId = (input.data as { run: { id: string } }).run.id;
  // Job ids carry the run id (src/cluster/executor.ts): a job naming another run is forged.
  if (jobId !== undefined && !jobId.startsWith(`${runId}.`)) throw refused(name, jobId, `its id does not carry the id of the run it names (${runId})`);
  return input.data;
}

/**
 * A convert job's image paths, checked against the inputs its run's driver recorded in the run's
 * output folder (run-inputs.ts): a path or URL outside them (a forged job naming /etc/shadow or
 * another bucket) is refused, as is a job of a run with no such record. A CLUSTER PipelineError
 * for a refusal; any other error (the bucket cannot be reached) is thrown as it is, to be retried.
 */
export async function checkJobInputs<N extends TaskName>(name: N, input: TaskInput<N>, jobId: string | undefined): Promise<void> {
  if (name !== 'convertPartition') return;
  const task = input as TaskInput<'convertPartition'>;
  // Required by the cluster job's schema (optional only in local mode).
  const run = task.run!;
  const record = await readRunInputs(run.dir, task.storage);
  if (record?.runId !== run.id) {
    throw refused(name, jobId, `the run it names (${run.id}) has not recorded its inputs in ${run.dir} (_parts/inputs.json): not a running convert of pipeline's driver`);
  }
  const outside = task.files.flatMap((f, i) => {
    const why = outsideInputs(f.path, record.inputs);
    return why ? [{ i, path: f.path, why }] : [];
  });
  if (outside.length) {
    const first = outside[0];
    const shown = record.inputs.slice(0, 3).join(', ') + (record.inputs.length > 3 ? ` and ${record.inputs.length - 3} more` : '');
    throw refused(name, jobId, `files.${first.i}.path ${JSON.stringify(first.path)}: ${first.why} (${shown})${outside.length > 1 ? `; ${outside.length} of its ${task.files.length} files are` : ''}`);
  }
}

function issueLine(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue.path.join('.') || '(top level)'}: ${issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message}`;
}

function refused(name: string, jobId: string | undefined, why: string): PipelineError {
  return new PipelineError('CLUSTER', `job ${jobId ?? '?'} (${name}) refused by the worker: ${why}`);
}

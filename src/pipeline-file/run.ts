/** `pipeline run <file>`: convert, speed test and report, as a pipeline file declares them. */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { ZodIssue } from 'zod';
import { PipelineError } from '../errors.js';
import { convert, type ConvertResult } from '../convert/convert.js';
import { speedtest } from '../speedtest/speedtest.js';
import type { SpeedtestSummary } from '../speedtest/summary.js';
import { report, type ReportResult } from '../report/report.js';
import { pipelineFileSchema, type PipelineFile } from './schema.js';

export interface RunOptions {
  file: string;
  signal?: AbortSignal;
  onInfo?: (message: string) => void;
  onConvertProgress?: Parameters<typeof convert>[0]['onProgress'];
  onSpeedtestProgress?: (p: { tasks: number; total: number; seconds: number }) => void;
}

export interface RunResult {
  pipeline: string;
  convert: ConvertResult;
  speedtest: SpeedtestSummary;
  report?: ReportResult;
}

export async function loadPipelineFile(file: string): Promise<PipelineFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new PipelineError('NOT_FOUND', `${file}: no such pipeline file`, { path: file });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PipelineError('PIPELINE_FILE', `${file}: not valid JSON: ${(error as Error).message}`, { path: file });
  }
  const parsed = pipelineFileSchema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(top level)'}: ${describe(issue, json)}`);
    throw new PipelineError('PIPELINE_FILE', `${file}: invalid pipeline file:\n${lines.join('\n')}`, { path: file });
  }
  return parsed.data;
}

function describe(issue: ZodIssue, root: unknown): string {
  let got: unknown = root;
  for (const key of issue.path) got = (got as Record<string | number, unknown> | undefined)?.[key];
  const shown = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : got === undefined ? 'nothing' : JSON.stringify(got);
  return `${issue.message.replace(/^Expected/, 'expected').replace(/, received \w+$/, '')}, got ${shown}`;
}

export async function runPipeline(options: RunOptions): Promise<RunResult> {
  const file = resolve(options.file);
  const spec = await loadPipelineFile(file);
  const base = dirname(file);
  const input = resolve(base, spec.input);
  const output = resolve(base, spec.output);
  const [width, height] = spec.convert.size.split('x').map(Number);
  const tfrecords = join(output, 'tfrecords');
  const runDir = join(output, 'run');

  options.onInfo?.(`[${spec.name}] convert ${input} -> ${tfrecords}`);
  // A pipeline owns the folders its file names: a rerun continues its convert run (shards that
  // still verify are kept) and replaces its speed-test run and report.
  const hostOptions = { alarms: spec.alarms, hostIntervalMs: spec.hostIntervalMs, pricePerWorkerHour: spec.pricePerWorkerHour, pricePerHost: spec.pricePerHost };
  const converted = await convert({ ...spec.convert, ...hostOptions, input, out: tfrecords, resume: true, width, height, signal: options.signal, onProgress: options.onConvertProgress, onInfo: options.onInfo });
  options.onInfo?.(`[${spec.name}] speedtest -> ${runDir}`);
  const s = spec.speedtest;
  const measured = await speedtest({
    images: input, tfrecords, out: runDir, overwrite: true, datasets: s.datasets, caches: s.cache === 'both' ? ['off', 'on'] : [s.cache],
    batchSizes: s.batchSizes, batchNumbers: s.batchNumbers, repetitions: s.repetitions, warmup: s.warmup,
    workers: s.workers, partitions: s.partitions, ...hostOptions, signal: options.signal, onInfo: options.onInfo, onProgress: options.onSpeedtestProgress,
  });
  let reported: ReportResult | undefined;
  if (spec.report) {
    options.onInfo?.(`[${spec.name}] report -> ${runDir}/report.html`);
    reported = await report({ run: runDir });
  }
  return { pipeline: spec.name, convert: converted, speedtest: measured, report: reported };
}

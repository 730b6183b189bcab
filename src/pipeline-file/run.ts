/** `pipeline run <file>`: convert, speed test and report, as a pipeline file declares them. */
import { isStorageUrl } from '../storage/url.js';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { checkOutPath } from '../output/out-path.js';
import type { z, ZodIssue } from 'zod';
import { PipelineError } from '../errors.js';
import { runOptions, type RunOptionsInput } from '../options/run.js';
import { convert, type ConvertResult } from '../convert/convert.js';
import { speedtest } from '../speedtest/speedtest.js';
import type { SpeedtestSummary } from '../run-folder/summary.js';
import { report, type ReportResult } from '../report/report.js';
import { parseOptions, type OptionSpecs } from '../options/define.js';
import { pipelineFileSchema, sections, type PipelineFile } from './schema.js';

/** `file` (src/options/run.ts) and the caller's hooks. */
export type RunOptions = RunOptionsInput & {
  signal?: AbortSignal;
  onInfo?: (message: string) => void;
  onConvertProgress?: Parameters<typeof convert>[0]['onProgress'];
  onSpeedtestProgress?: (p: { tasks: number; total: number; seconds: number }) => void;
};

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
  // Every problem of the file at once: its own fields, then each section through its command's schema.
  const lines: string[] = [];
  const parsed = pipelineFileSchema.safeParse(json);
  if (!parsed.success) lines.push(...parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'}: ${describe(issue, json)}`));
  const section = <S extends z.ZodTypeAny>(key: keyof typeof sections | '', schema: { specs: OptionSpecs; schema: S }): z.output<S> | undefined => {
    try {
      const value = key ? (json as Record<string, unknown> | null)?.[key] ?? {} : json;
      return parseOptions(schema, value, { kind: 'file', prefix: key ? `${key}.` : '' });
    } catch (error) {
      if (!(error instanceof PipelineError)) throw error;
      lines.push(...error.message.split('\n'));
      return undefined;
    }
  };
  const convert = section('convert', sections.convert);
  const speedtest = section('speedtest', sections.speedtest);
  const hosts = section('', sections.hosts);
  if (!parsed.success || !convert || !speedtest || !hosts || lines.length) {
    throw new PipelineError('PIPELINE_FILE', `${file}: invalid pipeline file:\n${lines.map((l) => `  ${l}`).join('\n')}`, { path: file });
  }
  const {
    alarms: _alarms,
    hostIntervalMs: _interval,
    pricePerWorkerHour: _price,
    pricePerHost: _prices,
    convert: _convert,
    speedtest: _speedtest,
    ...own
  } = parsed.data;
  return { ...own, ...hosts, convert, speedtest };
}

/**
 * The file's `output` under the rules of `--out` (a folder of its own: not the root or the home
 * folder), and apart from the dataset: the same folder as `input`, or one inside it, would put the
 * run's files (charts are PNG images) among the images a later run reads.
 */
function checkPipelineOutput(file: string, input: string, output: string): string {
  const refuse = (why: string) => new PipelineError('PIPELINE_FILE', `${file}: output: expected ${why}, got ${JSON.stringify(output)}`, { path: file });
  try {
    checkOutPath(output, 'output');
  } catch {
    throw refuse('a folder of its own, not the root or home folder');
  }
  const inside = relative(input, output);
  if (inside === '' || (inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside))) throw refuse(`a folder outside the input dataset ${input}`);
  return output;
}

function describe(issue: ZodIssue, root: unknown): string {
  let got: unknown = root;
  for (const key of issue.path) got = (got as Record<string | number, unknown> | undefined)?.[key];
  const shown = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : got === undefined ? 'nothing' : JSON.stringify(got);
  return `${issue.message.replace(/^Expected/, 'expected').replace(/, received \w+$/, '')}, got ${shown}`;
}

export async function runPipeline(options: RunOptions): Promise<RunResult> {
  const file = resolve(parseOptions(runOptions, options).file);
  const spec = await loadPipelineFile(file);
  const base = dirname(file);
  // An s3:// / gs:// input is read where it is; the output (shards, run folder) stays local to the file.
  const input = isStorageUrl(spec.input) ? spec.input : resolve(base, spec.input);
  const output = checkPipelineOutput(file, input, resolve(base, spec.output));
  const tfrecords = join(output, 'tfrecords');
  const runDir = join(output, 'run');

  options.onInfo?.(`[${spec.name}] convert ${input} -> ${tfrecords}`);
  // A pipeline owns the folders its file names: a rerun continues its convert run (shards that
  // still verify are kept) and replaces its speed-test run and report.
  const hostOptions = {
    alarms: spec.alarms,
    hostIntervalMs: spec.hostIntervalMs,
    pricePerWorkerHour: spec.pricePerWorkerHour,
    pricePerHost: spec.pricePerHost,
  };
  const converted = await convert({
    ...spec.convert,
    ...hostOptions,
    input,
    out: tfrecords,
    resume: true,
    signal: options.signal,
    onProgress: options.onConvertProgress,
    onInfo: options.onInfo,
  });
  options.onInfo?.(`[${spec.name}] speedtest -> ${runDir}`);
  const s = spec.speedtest;
  const measured = await speedtest({
    ...s,
    ...hostOptions,
    images: input,
    tfrecords,
    out: runDir,
    overwrite: true,
    signal: options.signal,
    onInfo: options.onInfo,
    onProgress: options.onSpeedtestProgress,
  });
  let reported: ReportResult | undefined;
  if (spec.report) {
    options.onInfo?.(`[${spec.name}] report -> ${runDir}/report.html`);
    reported = await report({ run: runDir });
  }
  return { pipeline: spec.name, convert: converted, speedtest: measured, report: reported };
}

/**
 * The pipeline file (pipelines/*.json): input dataset, convert options, speed-test grid, report.
 * The `convert` and `speedtest` sections are the commands' own option schemas (src/options/), less
 * the paths the file gives once (input, output), cluster mode and the folder ownership a pipeline
 * decides itself (it resumes its convert output and overwrites its speed-test run): the same
 * defaults, limits and messages as the CLI.
 */
import { z } from 'zod';
import { convertOptions } from '../options/convert.js';
import { speedtestOptions } from '../options/speedtest.js';

/** The file's own fields; the sections are checked by their command's schema (see `sections`). */
export const pipelineFileSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    /** Paths are relative to the pipeline file's folder. */
    input: z.string().min(1),
    output: z.string().min(1),
    convert: z.unknown().optional(),
    speedtest: z.unknown().optional(),
    report: z.boolean().default(true),
    /** Host alarms, sampling period and price, for both stages: checked by `sections.hosts`. */
    alarms: z.unknown().optional(),
    hostIntervalMs: z.unknown().optional(),
    pricePerWorkerHour: z.unknown().optional(),
    pricePerHost: z.unknown().optional(),
  })
  .strict();

/** Options the file gives once for both stages (the host options), rather than per section. */
const shared = { alarms: true, hostIntervalMs: true, pricePerWorkerHour: true, pricePerHost: true } as const;

export const sections = {
  convert: {
    specs: convertOptions.specs,
    schema: convertOptions.schema.omit({ input: true, out: true, redis: true, resume: true, overwrite: true, ...shared }).strict(),
  },
  speedtest: {
    specs: speedtestOptions.specs,
    schema: speedtestOptions.schema.omit({ images: true, tfrecords: true, out: true, redis: true, overwrite: true, ...shared }).strict(),
  },
  /** Read from the file's top level. */
  hosts: { specs: convertOptions.specs, schema: convertOptions.schema.pick(shared) },
};

export type PipelineFile = Omit<z.output<typeof pipelineFileSchema>, 'convert' | 'speedtest' | keyof typeof shared> &
  z.output<(typeof sections)['hosts']['schema']> & {
    convert: z.output<(typeof sections)['convert']['schema']>;
    speedtest: z.output<(typeof sections)['speedtest']['schema']>;
  };

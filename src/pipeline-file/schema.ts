/**
 * The pipeline file (pipelines/*.json): input dataset, convert options, speed-test grid, report.
 * Validated once here; errors name the path in the file, what was expected and what came.
 */
import { z } from 'zod';
import { parseAlarm } from '../hosts/alarms.js';
import { MAX_SIDE, parseSize } from '../cli/parse.js';

const positiveInt = z.number().int().positive();
/** An alarm rule, as `--alarm` takes it ("cpu>90 for 10s"), parsed here so a bad one is found before any work. */
const alarmRule = z.string().transform((text, ctx) => {
  try {
    return parseAlarm(text, 'alarm');
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message.replace(/, got .*$/, '') });
    return z.NEVER;
  }
});
const sizeText = z
  .string()
  .regex(/^\d+x\d+$/, 'expected WxH, e.g. "192x192"')
  // The CLI's own rule (src/cli/parse.ts), so a size the CLI refuses is refused here too.
  .refine((text) => !/^\d+x\d+$/.test(text) || !('problem' in parseSize(text)), `expected each side from 1 to ${MAX_SIDE} (the maximum)`);

export const pipelineFileSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    /** Paths are relative to the pipeline file's folder. */
    input: z.string().min(1),
    output: z.string().min(1),
    convert: z
      .object({
        size: sizeText.default('192x192'),
        fit: z.enum(['cover', 'contain', 'fill']).default('cover'),
        format: z.enum(['jpeg', 'png']).default('jpeg'),
        quality: z.number().int().min(1).max(100).default(90),
        partitions: positiveInt.optional(),
        workers: positiveInt.optional(),
        compression: z.enum(['none', 'gzip', 'zlib']).default('none'),
        maxPixels: positiveInt.optional(),
        strict: z.boolean().default(false),
      })
      .strict()
      .default({}),
    speedtest: z
      .object({
        datasets: z.array(z.enum(['images', 'tfrecord'])).nonempty().default(['images', 'tfrecord']),
        cache: z.enum(['off', 'on', 'both']).default('both'),
        batchSizes: z.array(positiveInt).nonempty().default([8, 16, 32, 64]),
        batchNumbers: z.array(positiveInt).nonempty().default([10, 30, 60]),
        repetitions: z.array(positiveInt).nonempty().default([1, 2, 3]),
        warmup: z.number().int().min(0).default(1),
        workers: positiveInt.optional(),
        partitions: positiveInt.optional(),
      })
      .strict()
      .default({}),
    report: z.boolean().default(true),
    /** Host alarms, sampling period and price: the same as --alarm, --host-interval, --price-per-worker-hour, for both stages. */
    alarms: z.array(alarmRule).default([]),
    hostIntervalMs: z.number().int().min(10).max(60_000).default(250),
    pricePerWorkerHour: z.number().positive().optional(),
    pricePerHost: z.record(z.number().positive()).optional(),
  })
  .strict();

export type PipelineFile = z.infer<typeof pipelineFileSchema>;

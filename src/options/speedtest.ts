/** `pipeline speedtest`'s options: the one place their defaults, limits and messages live. */
import { z } from 'zod';
import { objectReadOptionSpecs, storageOptionSpecs } from './storage.js';
import { defineOptions, type OptionsInput, type OptionsOutput } from './define.js';
import { hostOptionSpecs } from './hosts.js';
import { byteSize, fromText, intInRange, nonNegativeInt, path, positiveInt, positiveIntList, size, SIZE_EXPECTED } from './values.js';

/** "1%" / "0.5%" (of reads) or "10" (problems), or the parsed form: the --max-problems limit. */
const problemLimit = z.union([
  z.object({ fraction: z.number().min(0).max(1) }).strict(),
  z.object({ count: z.number().int().nonnegative() }).strict(),
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    const v = String(value).trim();
    const percent = /^(\d+(?:\.\d+)?)%$/.exec(v);
    if (percent && Number(percent[1]) <= 100) return { fraction: Number(percent[1]) / 100 };
    if (/^\d+$/.test(v) && Number.isSafeInteger(Number(v))) return { count: Number(v) };
    ctx.addIssue({ code: 'custom', message: `expected a count such as 10 or a percentage of reads such as 1%, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }),
]);

/**
 * Bounds of one pass (README: "Limits of speedtest"). A batch is held whole in memory before it is
 * delivered, so its size is bounded in images and in decoded bytes; a pass is bounded in images so
 * that a typo (--batch-numbers 100000000) is refused instead of running for years.
 */
export const MAX_BATCH_SIZE = 65_536;
export const MAX_BATCH_BYTES = 2 ** 30;
export const MAX_IMAGES_PER_PASS = 1_000_000_000;

export const DATASETS = ['images', 'tfrecord'] as const;
export type DatasetKind = (typeof DATASETS)[number];
/** `both` runs the cache off and on side by side. */
export const CACHE_CHOICES = ['off', 'on', 'both'] as const;

export const speedtestOptions = defineOptions('speedtest', {
  images: { schema: path.optional(), expected: 'the image dataset folder', help: 'the image dataset (one folder per class, or an s3:// / gs:// prefix)', value: '<dir>' },
  tfrecords: {
    schema: z.union([path, z.array(path).min(1)]).optional(), expected: 'TFRecord folders, files or globs',
    help: 'the TFRecord shards: folders (found by content), files or globs', value: '<path...>',
  },
  split: { schema: z.string().min(1).optional(), expected: 'a split name', help: 'only the shards of this split (TFDS / TF-slim names, or a convert --split folder)', value: '<name>' },
  imageKey: { schema: z.string().min(1).optional(), expected: 'a feature key', help: 'the feature holding the encoded image', value: '<key>', defaultText: 'detected, see README' },
  labelKey: { schema: z.string().min(1).optional(), expected: 'a feature key', help: 'the feature holding the label', value: '<key>', defaultText: 'detected' },
  channels: { schema: intInRange(1, 4).optional(), expected: 'one of 1, 2, 3, 4', help: 'channels every image is decoded to', value: '<n>', fromText: fromText.int, defaultText: 'the stored ones' },
  maxProblems: { schema: problemLimit.default({ fraction: 0.01 }), expected: 'a count such as 10 or a percentage of reads such as 1%', help: 'problems tolerated before exit 3: a count, or a percentage of reads', value: '<n|p%>', defaultText: '1%' },
  out: { schema: path, expected: 'a folder (the run)', help: 'run folder to write', value: '<run-dir>' },
  overwrite: { schema: z.boolean().default(false), expected: 'true or false', help: 'replace an earlier speed-test run in --out (its report included)' },
  datasets: {
    schema: z.array(z.enum(DATASETS)).min(1).optional(),
    expected: 'a comma list of images, tfrecord', help: 'which datasets', value: '<list>', fromText: fromText.stringList, defaultText: 'those given',
  },
  cache: {
    schema: z.enum(CACHE_CHOICES).default('off'),
    expected: 'one of on, off, both', help: 'cache of decoded images: on, off, or both side by side', value: '[mode]', preset: 'both',
  },
  batchSizes: {
    schema: z.array(positiveInt.max(MAX_BATCH_SIZE)).min(1).default([8, 16, 32, 64]), expected: `a comma list of positive integers up to ${MAX_BATCH_SIZE}`, help: 'comma list', value: '<list>', fromText: fromText.intList,
  },
  batchNumbers: { schema: positiveIntList.default([10, 30, 60]), expected: 'a comma list of positive integers', help: 'comma list', value: '<list>', fromText: fromText.intList },
  repetitions: { schema: positiveIntList.default([1, 2, 3]), expected: 'a comma list of positive integers', help: 'repetition numbers to record, comma list', value: '<list>', fromText: fromText.intList },
  warmup: { schema: nonNegativeInt.default(1), expected: 'a whole number >= 0', help: 'passes before the timed ones, not counted (with the cache on they fill it)', value: '<n>', fromText: fromText.int },
  cacheLimit: {
    schema: byteSize.default(2 ** 30), expected: 'a size such as 512MiB or 2GiB', help: 'memory for cached decoded images, all workers together', value: '<size>', fromText: fromText.byteSize, defaultText: '1GiB',
  },
  workers: { schema: positiveInt.optional(), expected: 'a positive integer', help: 'worker threads', value: '<n>', fromText: fromText.int, defaultText: 'cores' },
  partitions: { schema: positiveInt.optional(), expected: 'a positive integer', help: 'jobs the task grid is dealt into', value: '<n>', fromText: fromText.int, defaultText: 'one per task' },
  size: { schema: size.optional(), expected: SIZE_EXPECTED, help: 'size images are fitted to', value: '<WxH>', defaultText: 'the TFRecords\' stored size' },
  sweepWorkers: { schema: positiveIntList.optional(), expected: 'a comma list of positive integers', help: 'a scaling study: the grid once per worker count, e.g. 1,2,4', value: '<list>', fromText: fromText.intList },
  sweepPartitions: { schema: positiveIntList.optional(), expected: 'a comma list of positive integers', help: 'the grid once per partition count', value: '<list>', fromText: fromText.intList },
  redis: { schema: z.string().min(1).optional(), expected: 'a Redis URL such as redis://host:6379', help: 'cluster mode: run as a driver on BullMQ over Redis', value: '<url>' },
  ...hostOptionSpecs,
  ...storageOptionSpecs,
  ...objectReadOptionSpecs,
});

export type SpeedtestOptionsInput = OptionsInput<typeof speedtestOptions>;
export type SpeedtestSettings = OptionsOutput<typeof speedtestOptions>;

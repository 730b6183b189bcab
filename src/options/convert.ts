/** `pipeline convert`'s options: the one place their defaults, limits and messages live. */
import { basename } from 'node:path';
import { z } from 'zod';
import { defineOptions, type OptionsInput, type OptionsOutput } from './define.js';
import { hostOptionSpecs } from './hosts.js';
import { storageOptionSpecs } from './storage.js';
import { parseSplitSpec } from '../dataset/split.js';
import { fromText, intInRange, path, positiveInt, size, SIZE_EXPECTED } from './values.js';
import { TFRECORD_DEFAULTS } from './tfrecord.js';

/**
 * `--name`: one part of a file name (`<name>-<split>.tfrecord-00000-of-00004`) inside `--out`: no
 * `/` or `..` that would put shards elsewhere, no control or line-separator characters.
 */
export const DATASET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

/** sharp's own default pixel limit (16383 x 16383): a decompression-bomb guard that real photos never hit. */
/**
 * `--name`'s default with --split: the input's file or folder name (extension dropped, other
 * characters than letters, digits and _ made _), or `dataset` when nothing of it is left.
 */
export function defaultDatasetName(input: string): string {
  return basename(input).replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9_]+/g, '_') || 'dataset';
}

export const DEFAULT_MAX_PIXELS = 268_402_689;

/** `train=0.8,val=0.1,test=0.1`, or the parsed pairs; src/dataset/split.ts says what is valid. */
const splitSpec = z.union([
  z.array(z.tuple([z.string(), z.number()])),
  z.string().transform((text, ctx) => {
    try {
      return parseSplitSpec(text, '');
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message.replace(/^:\s*/, '') });
      return z.NEVER;
    }
  }),
]);

export const convertOptions = defineOptions('convert', {
  input: {
    schema: path, expected: 'a folder with one sub-folder per class, or an image list (.csv, .tsv, .jsonl)',
    help: 'folder (or s3:// / gs:// prefix) with one sub-folder per class, or a .csv / .tsv / .jsonl list of path,label', argument: '<images-dir-or-list>',
  },
  out: { schema: path, expected: 'a folder (the output)', help: 'output folder, or s3://bucket/prefix', value: '<dir>' },
  size: { schema: size.default('192x192'), expected: SIZE_EXPECTED, help: 'stored image size', value: '<WxH>' },
  fit: { schema: z.enum(['cover', 'contain', 'fill']).default('cover'), expected: 'one of cover, contain, fill', help: 'how images are fitted to --size', value: '<mode>' },
  format: { schema: z.enum(['jpeg', 'png']).default('jpeg'), expected: 'one of jpeg, png', help: 'stored image encoding', value: '<format>' },
  quality: { schema: intInRange(1, 100).default(90), expected: 'an integer from 1 to 100', help: 'JPEG quality', value: '<q>', fromText: fromText.int },
  partitions: { schema: positiveInt.optional(), expected: 'a positive integer', help: 'number of shards', value: '<n>', fromText: fromText.int, defaultText: 'about 1,000 records a shard' },
  workers: { schema: positiveInt.optional(), expected: 'a positive integer', help: 'worker threads', value: '<n>', fromText: fromText.int, defaultText: 'cores' },
  compression: { schema: z.enum(['none', 'gzip', 'zlib']).default(TFRECORD_DEFAULTS.compression), expected: 'one of none, gzip, zlib', help: 'TFRecord file compression', value: '<c>' },
  resume: { schema: z.boolean().default(false), expected: 'true or false', help: 'continue an earlier convert run in --out: keep the shards that still verify, redo the rest' },
  overwrite: { schema: z.boolean().default(false), expected: 'true or false', help: 'replace an earlier convert run in --out (removes its files, nothing else)' },
  allowOutside: {
    schema: z.boolean().default(false), expected: 'true or false',
    help: 'an image list may name files outside its own folder (absolute paths, ..); without it such a line is exit 2',
  },
  strict: { schema: z.boolean().default(false), expected: 'true or false', help: 'exit 3 if any input is skipped (after writing skipped.csv)' },
  maxPixels: { schema: positiveInt.default(DEFAULT_MAX_PIXELS), expected: 'a positive integer', help: 'refuse images with more pixels (decompression-bomb guard)', value: '<n>', fromText: fromText.int },
  split: {
    schema: splitSpec.optional(), expected: 'name=fraction pairs such as train=0.8,val=0.1,test=0.1', value: '<spec>',
    help: 'one shard set per split in --out/<split>/, by a hash of each path, e.g. train=0.8,val=0.1,test=0.1',
  },
  name: { schema: z.string().regex(DATASET_NAME).optional(), expected: 'a dataset name: letters, digits, _ . -, not starting with "." (it is part of each shard\'s file name, never a path)', help: 'the dataset name in TFDS-style shard names with --split', value: '<name>', defaultText: 'the input\'s name' },
  imageKey: { schema: z.string().min(1).optional(), expected: 'a feature key', help: 'feature key of the encoded image (TF-slim: image/encoded)', value: '<key>', defaultText: 'image' },
  labelKey: { schema: z.string().min(1).optional(), expected: 'a feature key', help: 'feature key of the class id (TF-slim: image/class/label)', value: '<key>', defaultText: 'class' },
  redis: { schema: z.string().min(1).optional(), expected: 'a Redis URL such as redis://host:6379', help: 'cluster mode: run as a driver on BullMQ over Redis', value: '<url>' },
  ...hostOptionSpecs,
  ...storageOptionSpecs,
});

export type ConvertOptionsInput = OptionsInput<typeof convertOptions>;
export type ConvertSettings = OptionsOutput<typeof convertOptions>;

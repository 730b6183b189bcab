/** `pipeline recommend`'s options (also the REST API's, `pipeline serve`). */
import { z } from 'zod';
import { defineOptions, type OptionsInput, type OptionsOutput } from './define.js';
import { fromText, nonNegativeNumber, path, positiveInt, positiveIntList, positiveNumber } from './values.js';

/**
 * recommend's defaults, for the command's options below and for library callers of analyse() and
 * nextRun() (src/recommend/), which may leave any setting out.
 */
export const RECOMMEND_DEFAULTS = {
  goal: 'time',
  /** --goal weighted without --alpha / --beta: time and cost weigh the same. */
  alpha: 1,
  beta: 1,
  pricePerWorkerHour: 1,
  maxLooError: 0.25,
  minImprovement: 0.05,
  /** Rows that give throughput, with no workload (--images): seconds per unit of work. */
  work: 1,
  /** Without --max-workers: counts up to this many times the largest measured. */
  maxWorkersPerMeasured: 2,
  /** --next (and nextRun): the models are checked unless --model says otherwise. */
  nextModel: 'auto',
  /** A run whose run.json names no CPU model: the machine it is grouped under. */
  machine: 'local',
} as const;

/** `--where batch_size=64`: a column and the value rows must have. */
export interface WhereFilter {
  key: string;
  value: string;
}

/** "KEY=VALUE" -> {key, value} (key lower-cased); undefined when the text has no "=". */
export function parseWhere(text: string): WhereFilter | undefined {
  const m = /^([^=\s][^=]*)=(.*)$/.exec(text);
  return m ? { key: m[1].trim().toLowerCase(), value: m[2].trim() } : undefined;
}

const whereFilter = z.union([
  z.object({ key: z.string().min(1), value: z.string() }),
  z.string().transform((text, ctx) => parseWhere(text) ?? (ctx.addIssue({ code: 'custom', message: `expected KEY=VALUE, e.g. batch_size=64, got ${JSON.stringify(text)}` }), z.NEVER)),
]);

/** "5%" or "0.05" -> 0.05; a fraction from 0 to 1. */
const fraction = z.union([z.number(), z.string().transform((text) => (text.trim().endsWith('%') ? Number(text.trim().slice(0, -1)) / 100 : fromText.number(text)))]).pipe(z.number().min(0).max(1));

export const recommendOptions = defineOptions('recommend', {
  runs: { schema: z.array(path).default([]), expected: 'speed-test run folders', help: 'speed-test run folders (a --sweep-workers run, or several runs)', argument: '[run-dir...]' },
  measurements: {
    schema: z.array(path).optional(), value: '<file>', repeatable: true, expected: 'CSV / JSON Lines files',
    help: 'a CSV / JSON Lines table: workers (or nodes), seconds (or throughput), optional machine, price_per_hour, cores, scale, other columns (repeatable)',
  },
  where: { schema: z.array(whereFilter).optional(), value: '<key=value>', repeatable: true, expected: 'KEY=VALUE filters', help: 'only table rows whose column KEY equals VALUE (repeatable)' },
  goal: { schema: z.enum(['time', 'cost', 'weighted']).default(RECOMMEND_DEFAULTS.goal), expected: 'one of time, cost, weighted', help: 'what to minimise', value: '<goal>' },
  alpha: { schema: nonNegativeNumber.optional(), expected: 'a number >= 0', help: 'weight of time (seconds), --goal weighted', value: '<a>', fromText: fromText.number },
  beta: { schema: nonNegativeNumber.optional(), expected: 'a number >= 0', help: 'weight of cost, --goal weighted', value: '<b>', fromText: fromText.number },
  budget: { schema: positiveNumber.optional(), expected: 'a positive number', help: 'largest acceptable cost', value: '<c>', fromText: fromText.number },
  pricePerWorkerHour: { schema: positiveNumber.default(RECOMMEND_DEFAULTS.pricePerWorkerHour), expected: 'a positive number', help: 'cost of one worker for an hour, where the table has no price_per_hour', value: '<p>', fromText: fromText.number },
  model: {
    schema: z.enum(['auto', 'ernest', 'amdahl', 'usl', 'none']).optional(), expected: 'one of auto, ernest, amdahl, usl, none', value: '<model>',
    help: 'how unmeasured counts are predicted: auto (lowest leave-one-out error), ernest, amdahl, usl, none (the table alone)',
  },
  candidates: { schema: positiveIntList.optional(), expected: 'a comma list of positive integers', help: 'worker counts to predict and choose from, e.g. 4,6,8,12,16', value: '<list>', fromText: fromText.intList },
  maxWorkers: { schema: positiveInt.optional(), expected: 'a positive integer', help: 'largest worker count to consider', value: '<n>', fromText: fromText.int, defaultText: 'twice the largest measured' },
  maxLooError: { schema: fraction.default(RECOMMEND_DEFAULTS.maxLooError), expected: 'a fraction such as 0.05 or 5%', help: 'distrust a model whose leave-one-out error is above this', value: '<f>' },
  next: { schema: z.boolean().default(false), expected: 'true or false', help: 'say which configuration to measure next (null once none is expected to help)' },
  minImprovement: { schema: fraction.default(RECOMMEND_DEFAULTS.minImprovement), expected: 'a fraction such as 0.05 or 5%', help: 'with --next: smallest expected improvement worth a run', value: '<f>' },
  scale: { schema: positiveNumber.optional(), expected: 'a positive number', help: 'the data size to predict at, when the table\'s scale column varies', value: '<s>', fromText: fromText.number },
  images: { schema: positiveInt.optional(), expected: 'a positive integer', help: 'the workload in throughput units', value: '<n>', fromText: fromText.int, defaultText: 'run folders: one epoch of the dataset' },
  batchSize: { schema: positiveInt.optional(), expected: 'a positive integer', help: 'run folders: only passes of this batch size', value: '<b>', fromText: fromText.int },
  dataset: { schema: z.enum(['images', 'tfrecord']).optional(), expected: 'one of images, tfrecord', help: 'run folders: which dataset\'s passes', value: '<d>', defaultText: 'tfrecord when measured' },
  cache: { schema: z.enum(['off', 'on']).default('off'), expected: 'one of off, on', help: 'run folders: which cache mode\'s passes', value: '<c>' },
  /** Rows given directly (the REST API), as objects with the table's columns. */
  rows: { schema: z.array(z.unknown()).optional(), expected: 'a list of row objects', help: 'rows given directly', cli: false },
  /** A table given as CSV or JSON Lines text (the web form). */
  table: { schema: z.string().optional(), expected: 'CSV or JSON Lines text', help: 'a table as text', cli: false },
});

export type RecommendOptionsInput = OptionsInput<typeof recommendOptions>;
export type RecommendOptionsParsed = OptionsOutput<typeof recommendOptions>;

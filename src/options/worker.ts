/** `pipeline worker`'s options. */
import { z } from 'zod';
import { defineOptions, type OptionsInput, type OptionsOutput } from './define.js';
import { hostOptionSpecs } from './hosts.js';
import { fromText, positiveInt } from './values.js';

/** Host samples a worker keeps while Redis is slow (--sample-buffer): about a minute at the default interval. */
export const SAMPLE_BUFFER_ROWS = 240;
/** How long a job's lock lives without renewal (--lock-ms). */
export const JOB_LOCK_MS = 30_000;

export const workerOptions = defineOptions('worker', {
  redis: { schema: z.string().min(1), expected: 'a Redis URL such as redis://10.0.0.5:6379', help: 'the Redis the driver uses, e.g. redis://10.0.0.5:6379', value: '<url>' },
  workers: { schema: positiveInt.optional(), expected: 'a positive integer', help: 'worker threads', value: '<n>', fromText: fromText.int, defaultText: 'cores' },
  // Printable, 1-100 characters: it lands in CSV, HTML and Redis.
  // eslint-disable-next-line no-control-regex
  name: { schema: z.string().max(100).refine((v) => v.trim() !== '' && !/[\u0000-\u001f\u007f]/.test(v)).optional(), expected: 'a name of 1-100 printable characters', help: 'this worker\'s name in hosts.csv', value: '<name>', defaultText: 'hostname/pid' },
  hostIntervalMs: hostOptionSpecs.hostIntervalMs,
  sampleBuffer: { schema: positiveInt.default(SAMPLE_BUFFER_ROWS), expected: 'a positive integer', help: 'host samples kept while Redis is slow; older ones are dropped and counted', value: '<rows>', fromText: fromText.int },
  lockMs: { schema: positiveInt.default(JOB_LOCK_MS), expected: 'a positive integer (milliseconds)', help: 'job lock time: a killed worker\'s jobs are taken again after it', value: '<ms>', fromText: fromText.int },
});

export type WorkerOptionsInput = OptionsInput<typeof workerOptions>;
export type WorkerSettings = OptionsOutput<typeof workerOptions>;

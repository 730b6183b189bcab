/**
 * Host sampling, alarms and cost: options of every command that does work (convert, speedtest),
 * and of pipeline files at their top level (src/hosts/ does the sampling).
 */
import { z } from 'zod';
import { ALARM_METRICS, parseAlarm } from '../hosts/alarms.js';
import type { OptionSpec } from './define.js';
import { fromText, positiveNumber } from './values.js';
import { HOST_INTERVAL_MS } from './intervals.js';

/** Where the host sampler reads the kernel's figures (tests point it at captured files). */
export const HOST_FILES = { proc: '/proc', sys: '/sys' } as const;

const alarmObject = z.object({ text: z.string(), metric: z.enum(ALARM_METRICS), op: z.enum(['>', '<']), threshold: z.number(), durationMs: z.number().nonnegative() });
/** An alarm rule as `--alarm` takes it ("cpu>90 for 10s"), or one already parsed; parsed before any work. */
const alarmRule = z.union([
  alarmObject,
  z.string().transform((text, ctx) => {
    try {
      return parseAlarm(text, '');
    } catch (error) {
      // parseAlarm's own words say what was wrong (unknown metric, bad syntax); the option's name is ours to add.
      ctx.addIssue({ code: 'custom', message: (error as Error).message.replace(/^:\s*/, '') });
      return z.NEVER;
    }
  }),
]);

/** `NAME=PRICE`: the last "=" splits (names may hold "="). */
const hostPrice = z.string().transform((text, ctx): [string, number] => {
  const at = text.lastIndexOf('=');
  const name = text.slice(0, at).trim();
  const price = Number(text.slice(at + 1));
  if (at <= 0 || name === '' || !Number.isFinite(price) || price <= 0) {
    ctx.addIssue({ code: 'custom', message: `expected NAME=PRICE with a positive price, e.g. worker-a=0.34, got ${JSON.stringify(text)}` });
    return z.NEVER;
  }
  return [name, price];
});

export const ALARM_EXPECTED = `METRIC>VALUE or METRIC<VALUE [for DURATION], e.g. "cpu>90 for 10s" (metrics: ${ALARM_METRICS.join(', ')})`;

export const hostOptionSpecs = {
  alarms: {
    schema: z.array(alarmRule).default([]), flag: '--alarm', value: '<rule>', repeatable: true, expected: `a list of alarms, each ${ALARM_EXPECTED}`,
    help: 'alarm on a host figure, e.g. "cpu>90 for 10s" (repeatable; cpu, iowait, mem, disk_read, disk_write, net_in, net_out)', defaultText: 'none',
  },
  hostIntervalMs: { schema: z.number().int().min(10).max(60_000).default(HOST_INTERVAL_MS), flag: '--host-interval', value: '<ms>', fromText: fromText.int, expected: 'an integer from 10 to 60000 (milliseconds)', help: 'host sampling period (hosts.csv)' },
  pricePerWorkerHour: { schema: positiveNumber.optional(), value: '<p>', fromText: fromText.number, expected: 'a positive number', help: 'the summary gives the run\'s cost from the worker hosts\' wall time' },
  pricePerHost: {
    schema: z.union([z.record(positiveNumber), z.array(hostPrice).transform((pairs) => Object.fromEntries(pairs))]).optional(), flag: '--price-per-host', value: '<name=p>', repeatable: true,
    expected: 'NAME=PRICE with a positive price, e.g. worker-a=0.34', help: 'price per hour of one host by name (repeatable; overrides --price-per-worker-hour, can bill the driver)',
  },
} satisfies Record<string, OptionSpec>;

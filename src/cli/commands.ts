/**
 * Every command of the CLI, declared once: its options' schema (src/options/), its description,
 * and what it runs, loaded lazily so `pipeline --help` loads no command's code.
 */
import type { CommandOptions, OptionsOutput, OptionSpecs } from '../options/define.js';
import { compareOptions } from '../options/compare.js';
import { convertOptions } from '../options/convert.js';
import { inspectOptions } from '../options/inspect.js';
import { recommendOptions } from '../options/recommend.js';
import { reportOptions } from '../options/report.js';
import { runOptions } from '../options/run.js';
import { serveOptions } from '../options/serve.js';
import { speedtestOptions } from '../options/speedtest.js';
import { workerOptions } from '../options/worker.js';
import { EXIT } from './exit-codes.js';
import type { Logger } from './log.js';

export interface CommandContext {
  signal: AbortSignal;
  log: Logger;
  /** --json: the result is printed as JSON (a command may shape it for that). */
  json: boolean;
}

/** What a command gives back: its result (printed, or as --json) and, if not 0, an exit code. */
export interface Outcome {
  result: unknown;
  exitCode?: number;
  /** The command runs until a signal ends it (worker, serve): that clean stop exits 128 + signal. */
  endsOnSignal?: boolean;
}

export interface CommandDeclaration {
  schema: CommandOptions<OptionSpecs>;
  description: string;
  run: (options: Record<string, unknown>, ctx: CommandContext) => Promise<Outcome>;
}

/** A command whose `run` gets its options parsed and typed by `schema`. */
function declare<C extends CommandOptions<OptionSpecs>>(
  schema: C,
  description: string,
  run: (options: OptionsOutput<C>, ctx: CommandContext) => Promise<Outcome>,
): CommandDeclaration {
  return { schema, description, run: run as CommandDeclaration['run'] };
}

const COMPARE_DESCRIPTION = 'is run b faster than run a? medians, ratio b/a with a bootstrap interval, Welch p-value per dataset x cache x batch size x batch number';

export const COMMANDS: readonly CommandDeclaration[] = [
  declare(inspectOptions, 'counts, schema and integrity of TFRecord files', async (options, { signal }) => {
    const { inspect } = await import('../inspect/inspect.js');
    const result = await inspect({ ...options, signal });
    return { result, exitCode: result.errors.length > 0 ? EXIT.data : EXIT.ok };
  }),

  declare(convertOptions, 'image dataset (one folder per class) to TFRecord shards', async (options, { signal, log }) => {
    const { convert } = await import('../convert/convert.js');
    const result = await convert({
      ...options, signal, onInfo: (m: string) => log.info(m),
      onProgress: (p) => {
        const rate = p.images / Math.max(p.seconds, 1e-3);
        const eta = rate > 0 ? (p.total - p.images) / rate : 0;
        log.progress({ done: p.images, total: p.total, unit: 'images', detail: `${(p.inputBytes / 1e6).toFixed(1)} MB read, ${rate.toFixed(0)} images/s, ETA ${eta.toFixed(0)} s` });
      },
    });
    return { result };
  }),

  declare(speedtestOptions, 'read throughput: image files vs TFRecords, cache off vs on, over batch size x batch number x repetition', async (options, { signal, log }) => {
    const { speedtest } = await import('../speedtest/speedtest.js');
    const result = await speedtest({
      ...options, signal, onInfo: (m) => log.info(m),
      onProgress: (p) => log.progress({ done: p.tasks, total: p.total, unit: 'tasks', detail: `${p.images} images, ${p.seconds.toFixed(0)} s` }),
    });
    return { result };
  }),

  declare(workerOptions, 'a cluster worker: runs convert / speedtest jobs from Redis on this machine\'s threads', async (options, { signal, log }) => {
    const { runWorker } = await import('../cluster/worker.js');
    return { result: await runWorker({ ...options, signal, onInfo: (m) => log.info(m) }), endsOnSignal: true };
  }),

  declare(recommendOptions, 'the best (machine, worker count) for a goal and budget, from measurement tables or speed-test runs', async (options) => {
    const { recommend, recommendNext } = await import('../recommend/recommend.js');
    if (options.next) return { result: await recommendNext(options) };
    const result = await recommend(options);
    return { result, exitCode: result.recommended ? EXIT.ok : EXIT.data };
  }),

  declare(serveOptions, 'the recommender over HTTP: POST /api/recommend, POST /api/next, GET /api/health, and a form page', async (options, { signal, log }) => {
    const { serve } = await import('../serve/server.js');
    // The address goes to stderr even with --quiet: a server nobody can find is of no use.
    const result = await serve({ ...options, signal, onInfo: (m) => process.stderr.write(`pipeline serve: ${m}\n`), onError: (e) => log.info(`internal error: ${(e as Error)?.stack ?? String(e)}`) });
    return { result, endsOnSignal: true };
  }),

  declare(compareOptions, COMPARE_DESCRIPTION, async (options, { json }) => {
    const { compare } = await import('../compare/compare.js');
    const result = await compare(options);
    // --json: the contract's shape (DESIGN.md); without it, the markdown table.
    const { a, b, comparisons, notes, files, markdown } = result;
    return { result: json ? { a, b, comparisons, notes, files } : { markdown, files } };
  }),

  declare(reportOptions, 'regressions, tables and charts from a speed-test run', async (options) => {
    const { report } = await import('../report/report.js');
    return { result: await report(options) };
  }),

  declare(runOptions, 'run the stages a pipeline file declares (convert, speedtest, report)', async (options, { signal, log }) => {
    const { runPipeline } = await import('../pipeline-file/run.js');
    const result = await runPipeline({
      ...options, signal, onInfo: (m) => log.info(m),
      onConvertProgress: (p) => log.progress({ done: p.images, total: p.total, unit: 'images' }),
      onSpeedtestProgress: (p) => log.progress({ done: p.tasks, total: p.total, unit: 'tasks', detail: `${p.seconds.toFixed(0)} s` }),
    });
    return { result };
  }),
];

/**
 * Every command of the CLI, declared once: its name, its description, its options' schema
 * (src/options/) and what it runs. Schema and code are loaded lazily: `pipeline --help` loads no
 * command's code, and `pipeline inspect` loads neither convert's code nor its options (each
 * command's schemas and what they import weighed on the start-up of a 0.5 s `inspect --verify`).
 */
import type { CommandOptions, OptionsOutput, OptionSpecs } from '../options/define.js';
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
  name: string;
  /** The command's options (src/options/<name>.ts), imported when the command is declared on commander. */
  schema: () => Promise<CommandOptions<OptionSpecs>>;
  description: string;
  run: (options: Record<string, unknown>, ctx: CommandContext) => Promise<Outcome>;
}

/** A command whose `run` gets its options parsed and typed by the schema `load` gives. */
function declare<C extends CommandOptions<OptionSpecs>>(
  name: string,
  load: () => Promise<C>,
  description: string,
  run: (options: OptionsOutput<C>, ctx: CommandContext) => Promise<Outcome>,
): CommandDeclaration {
  const schema = async () => {
    const loaded = await load();
    // The schema names the command too (its messages say "pipeline <name>"): the two must agree.
    if (loaded.name !== name) throw new Error(`command ${name} loaded the options of ${loaded.name}`);
    return loaded;
  };
  return { name, schema, description, run: run as CommandDeclaration['run'] };
}

const COMPARE_DESCRIPTION = 'is run b faster than run a? medians, ratio b/a with a bootstrap interval, Welch p-value per dataset x cache x batch size x batch number';

export const COMMANDS: readonly CommandDeclaration[] = [
  declare('inspect', async () => (await import('../options/inspect.js')).inspectOptions, 'counts, schema and integrity of TFRecord files', async (options, { signal }) => {
    const { inspect } = await import('../inspect/inspect.js');
    const result = await inspect({ ...options, signal });
    return { result, exitCode: result.errors.length > 0 ? EXIT.data : EXIT.ok };
  }),

  declare('convert', async () => (await import('../options/convert.js')).convertOptions, 'image dataset (one folder per class) to TFRecord shards', async (options, { signal, log }) => {
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

  declare('speedtest', async () => (await import('../options/speedtest.js')).speedtestOptions, 'read throughput: image files vs TFRecords, cache off vs on, over batch size x batch number x repetition', async (options, { signal, log }) => {
    const { speedtest } = await import('../speedtest/speedtest.js');
    const result = await speedtest({
      ...options, signal, onInfo: (m) => log.info(m),
      onProgress: (p) => log.progress({ done: p.tasks, total: p.total, unit: 'tasks', detail: `${p.images} images, ${p.seconds.toFixed(0)} s` }),
    });
    return { result };
  }),

  declare('worker', async () => (await import('../options/worker.js')).workerOptions, 'a cluster worker: runs convert / speedtest jobs from Redis on this machine\'s threads', async (options, { signal, log }) => {
    const { runWorker } = await import('../cluster/worker.js');
    return { result: await runWorker({ ...options, signal, onInfo: (m) => log.info(m) }), endsOnSignal: true };
  }),

  declare('recommend', async () => (await import('../options/recommend.js')).recommendOptions, 'the best (machine, worker count) for a goal and budget, from measurement tables or speed-test runs', async (options) => {
    const { recommend, recommendNext } = await import('../recommend/recommend.js');
    if (options.next) return { result: await recommendNext(options) };
    const result = await recommend(options);
    return { result, exitCode: result.recommended ? EXIT.ok : EXIT.data };
  }),

  declare('serve', async () => (await import('../options/serve.js')).serveOptions, 'the recommender over HTTP: POST /api/recommend, POST /api/next, GET /api/health, and a form page', async (options, { signal, log }) => {
    const { serve } = await import('../serve/server.js');
    // The address goes to stderr even with --quiet: a server nobody can find is of no use.
    const result = await serve({ ...options, signal, onInfo: (m) => process.stderr.write(`pipeline serve: ${m}\n`), onError: (e) => log.info(`internal error: ${(e as Error)?.stack ?? String(e)}`) });
    return { result, endsOnSignal: true };
  }),

  declare('compare', async () => (await import('../options/compare.js')).compareOptions, COMPARE_DESCRIPTION, async (options, { json }) => {
    const { compare } = await import('../compare/compare.js');
    const result = await compare(options);
    // --json: the contract's shape (DESIGN.md); without it, the markdown table.
    const { a, b, comparisons, notes, files, markdown } = result;
    return { result: json ? { a, b, comparisons, notes, files } : { markdown, files } };
  }),

  declare('report', async () => (await import('../options/report.js')).reportOptions, 'regressions, tables and charts from a speed-test run', async (options) => {
    const { report } = await import('../report/report.js');
    return { result: await report(options) };
  }),

  declare('run', async () => (await import('../options/run.js')).runOptions, 'run the stages a pipeline file declares (convert, speedtest, report)', async (options, { signal, log }) => {
    const { runPipeline } = await import('../pipeline-file/run.js');
    const result = await runPipeline({
      ...options, signal, onInfo: (m) => log.info(m),
      onConvertProgress: (p) => log.progress({ done: p.images, total: p.total, unit: 'images' }),
      onSpeedtestProgress: (p) => log.progress({ done: p.tasks, total: p.total, unit: 'tasks', detail: `${p.seconds.toFixed(0)} s` }),
    });
    return { result };
  }),
];

/**
 * The command line: declares the commands and loads each one's code lazily. Commands are functions
 * that return data (src/<concern>/); printing and exit codes are decided here.
 */
import { Command, CommanderError } from 'commander';
import { PipelineError } from '../errors.js';
import { toJson } from '../json.js';
import { describeFailure, EXIT, exitCodeFor } from './exit-codes.js';
import { createLogger, type Logger } from './log.js';
import { declareOptions } from './options.js';
import type { CommandOptions, OptionsOutput, OptionSpecs } from '../options/define.js';
import { convertOptions } from '../options/convert.js';
import { inspectOptions } from '../options/inspect.js';
import { recommendOptions } from '../options/recommend.js';
import { reportOptions } from '../options/report.js';
import { runOptions } from '../options/run.js';
import { speedtestOptions } from '../options/speedtest.js';
import { workerOptions } from '../options/worker.js';
import { compareOptions } from '../options/compare.js';
import { serveOptions } from '../options/serve.js';
import { printHuman } from './print.js';
import { VERSION } from '../version.js';


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
}

type Action = (ctx: Omit<CommandContext, 'json'>) => Promise<Outcome>;

/** Runs the CLI; returns the exit code (bin/pipeline.js sets it). */
export async function main(argv: string[]): Promise<number> {
  const controller = new AbortController();
  let caught: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (caught) process.exit(signal === 'SIGINT' ? EXIT.sigint : EXIT.sigterm); // second signal: leave now
    caught = signal;
    controller.abort(new PipelineError('ABORTED', `stopped by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let pending: { action: Action; json: boolean; quiet: boolean } | undefined;
  const program = buildProgram((_name, _options, action, opts) => {
    pending = { action, json: Boolean(opts.json), quiet: Boolean(opts.quiet) };
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    process.stderr.write(describeFailure(error, exitCodeFor(error)) + '\n');
    return exitCodeFor(error);
  }
  if (!pending) return EXIT.ok;
  const log = createLogger({ quiet: pending.quiet });
  try {
    const { result, exitCode } = await pending.action({ signal: controller.signal, log });
    log.done();
    if (pending.json) process.stdout.write(toJson(result) + '\n');
    // --quiet silences stderr only: the result is what the user asked for.
    else printHuman(result);
    // A clean stop on a signal (the worker's graceful shutdown) still exits 128 + signal.
    return caught ? exitCodeFor(undefined, caught) : exitCode ?? EXIT.ok;
  } catch (error) {
    log.done();
    const code = exitCodeFor(error, caught);
    const data = (error as { result?: unknown }).result;
    if (data !== undefined && pending.json) process.stdout.write(toJson(data) + '\n');
    process.stderr.write(describeFailure(error, code) + '\n');
    return code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * Parses a command line without running it: the command's name and its options as the command
 * will get them (defaults filled, checked). Throws a usage PipelineError like the CLI would.
 */
export async function parseCommandLine(argv: string[]): Promise<{ command: string; options: Record<string, unknown> }> {
  let parsed: { command: string; options: Record<string, unknown> } | undefined;
  const program = buildProgram((command, options) => {
    parsed = { command, options };
  });
  program.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  await program.parseAsync(argv, { from: 'user' });
  if (!parsed) throw new Error(`no command in ${argv.join(' ')}`);
  return parsed;
}

type Register = (command: string, options: Record<string, unknown>, action: Action, opts: { json?: boolean; quiet?: boolean }) => void;

function buildProgram(register: Register): Command {
  const program = new Command('pipeline')
    .description('Spark-style data pipeline and throughput analyser for image datasets')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  /** A subcommand whose options come from `schema`; `run` gets them parsed and typed. */
  function command<C extends CommandOptions<OptionSpecs>>(schema: C, description: string, run: (options: OptionsOutput<C>, ctx: CommandContext) => Promise<Outcome>): void {
    const cmd = program.command(schema.name).description(description);
    const read = declareOptions(cmd, schema);
    cmd
      .option('--json', 'print one JSON object with the result on stdout')
      .option('--quiet', 'no progress or logs on stderr')
      .exitOverride()
      .action((...params: unknown[]) => {
        const self = params[params.length - 1] as Command;
        const options = read(self);
        const common = self.opts<{ json?: boolean; quiet?: boolean }>();
        register(schema.name, options, (ctx) => run(options, { ...ctx, json: Boolean(common.json) }), common);
      });
  }

  command(inspectOptions, 'counts, schema and integrity of TFRecord files', async (options, { signal }) => {
    const { inspect } = await import('../tfrecord/inspect.js');
    const result = await inspect({ ...options, signal });
    return { result, exitCode: result.errors.length > 0 ? EXIT.data : EXIT.ok };
  });

  command(convertOptions, 'image dataset (one folder per class) to TFRecord shards', async (options, { signal, log }) => {
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
  });

  command(speedtestOptions, 'read throughput: image files vs TFRecords, cache off vs on, over batch size x batch number x repetition', async (options, { signal, log }) => {
    const { speedtest } = await import('../speedtest/speedtest.js');
    const result = await speedtest({
      ...options, signal, onInfo: (m) => log.info(m),
      onProgress: (p) => log.progress({ done: p.tasks, total: p.total, unit: 'tasks', detail: `${p.seconds.toFixed(0)} s` }),
    });
    return { result };
  });

  command(workerOptions, 'a cluster worker: runs convert / speedtest jobs from Redis on this machine\'s threads', async (options, { signal, log }) => {
    const { runWorker } = await import('../cluster/worker.js');
    return { result: await runWorker({ ...options, signal, onInfo: (m) => log.info(m) }) };
  });

  command(recommendOptions, 'the best (machine, worker count) for a goal and budget, from measurement tables or speed-test runs', async (options) => {
    const { recommend, recommendNext } = await import('../recommend/recommend.js');
    if (options.next) return { result: await recommendNext(options) };
    const result = await recommend(options);
    return { result, exitCode: result.recommended ? EXIT.ok : EXIT.data };
  });

  command(serveOptions, 'the recommender over HTTP: POST /api/recommend, POST /api/next, GET /api/health, and a form page', async (options, { signal, log }) => {
    const { serve } = await import('../serve/server.js');
    // The address goes to stderr even with --quiet: a server nobody can find is of no use.
    const result = await serve({ ...options, signal, onInfo: (m) => process.stderr.write(`pipeline serve: ${m}\n`), onError: (e) => log.info(`internal error: ${(e as Error)?.stack ?? String(e)}`) });
    return { result };
  });

  command(compareOptions, 'is run b faster than run a? medians, ratio b/a with a bootstrap interval, Welch p-value per dataset x cache x batch size x batch number', async (options, { json }) => {
    const { compare } = await import('../compare/compare.js');
    const result = await compare(options);
    // --json: the contract's shape (DESIGN.md); without it, the markdown table.
    return { result: json ? { a: result.a, b: result.b, comparisons: result.comparisons, notes: result.notes, files: result.files } : { markdown: result.markdown, files: result.files } };
  });

  command(reportOptions, 'regressions, tables and charts from a speed-test run', async (options) => {
    const { report } = await import('../report/report.js');
    return { result: await report(options) };
  });

  command(runOptions, 'run the stages a pipeline file declares (convert, speedtest, report)', async (options, { signal, log }) => {
    const { runPipeline } = await import('../pipeline-file/run.js');
    const result = await runPipeline({
      ...options, signal, onInfo: (m) => log.info(m),
      onConvertProgress: (p) => log.progress({ done: p.images, total: p.total, unit: 'images' }),
      onSpeedtestProgress: (p) => log.progress({ done: p.tasks, total: p.total, unit: 'tasks', detail: `${p.seconds.toFixed(0)} s` }),
    });
    return { result };
  });

  return program;
}

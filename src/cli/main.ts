/**
 * The command line: declares the commands and loads each one's code lazily. Commands are functions
 * that return data (src/<concern>/); printing and exit codes are decided here.
 */
import { Command, CommanderError, Option } from 'commander';
import { PipelineError } from '../errors.js';
import { toJson } from '../json.js';
import { describeFailure, EXIT, exitCodeFor } from './exit-codes.js';
import { createLogger, type Logger } from './log.js';
import { nonNegativeInt } from './parse.js';
import { printHuman } from './print.js';
import { VERSION } from '../version.js';


export interface CommandContext {
  signal: AbortSignal;
  log: Logger;
}

/** What a command gives back: its result (printed, or as --json) and, if not 0, an exit code. */
export interface Outcome {
  result: unknown;
  exitCode?: number;
}

type Action = (ctx: CommandContext) => Promise<Outcome>;

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
  const program = buildProgram((action, opts) => {
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
    else if (!pending.quiet) printHuman(result);
    return exitCode ?? EXIT.ok;
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

type Register = (action: Action, opts: { json?: boolean; quiet?: boolean }) => void;

function buildProgram(register: Register): Command {
  const program = new Command('pipeline')
    .description('Spark-style data pipeline and throughput analyser for image datasets')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  const common = (cmd: Command) =>
    cmd.option('--json', 'print one JSON object with the result on stdout').option('--quiet', 'no progress or logs on stderr').exitOverride();

  common(
    program
      .command('inspect')
      .description('counts, schema and integrity of TFRecord files')
      .argument('<file-or-dir>', 'a TFRecord file or a folder of them')
      .option('--verify', 'check every record\'s length and data CRC')
      .addOption(new Option('--dump <n>', 'print the first N examples').argParser(nonNegativeInt('--dump')).default(0)),
  ).action((target: string, opts) =>
    register(async ({ signal }) => {
      const { inspect } = await import('../tfrecord/inspect.js');
      const result = await inspect({ target, verify: opts.verify, dump: opts.dump, signal });
      return { result, exitCode: result.errors.length > 0 ? EXIT.data : EXIT.ok };
    }, opts),
  );

  return program;
}

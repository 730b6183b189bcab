/**
 * The command line: declares the commands and loads each one's code lazily. Commands are functions
 * that return data (src/<concern>/); printing and exit codes are decided here.
 */
import { Command, CommanderError } from 'commander';
import { PipelineError } from '../errors.js';
import { toJson } from '../json.js';
import { describeFailure, EXIT, exitCodeFor } from './exit-codes.js';
import { createLogger } from './log.js';
import { declareOptions } from './options.js';
import { COMMANDS, type CommandContext, type CommandDeclaration, type Outcome } from './commands.js';
import type { CommandOptions, OptionSpecs } from '../options/define.js';
import { VERSION } from '../version.js';

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
  try {
    const program = await buildProgram(argv, (_name, _options, action, opts) => {
      pending = { action, json: Boolean(opts.json), quiet: Boolean(opts.quiet) };
    });
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
    const { result, exitCode, endsOnSignal } = await pending.action({ signal: controller.signal, log });
    log.done();
    if (pending.json) process.stdout.write(toJson(result) + '\n');
    // --quiet silences stderr only: the result is what the user asked for. The printer (and the
    // image and hash modules a dump summary uses) loads only when a human reads the result.
    else (await import('./print.js')).printHuman(result);
    // A clean stop on a signal (the worker's graceful shutdown) still exits 128 + signal. Any other
    // command that returned its result finished its work: a signal that came too late to stop it
    // does not turn the success it printed into a failure.
    return caught && endsOnSignal ? exitCodeFor(undefined, caught) : exitCode ?? EXIT.ok;
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
  const program = await buildProgram(argv, (command, options) => {
    parsed = { command, options };
  });
  program.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  await program.parseAsync(argv, { from: 'user' });
  if (!parsed) throw new Error(`no command in ${argv.join(' ')}`);
  return parsed;
}

type Register = (command: string, options: Record<string, unknown>, action: Action, opts: { json?: boolean; quiet?: boolean }) => void;

/** The program, with the commands `argv` can reach declared (see `commandsFor`). */
async function buildProgram(argv: readonly string[], register: Register): Promise<Command> {
  const program = new Command('pipeline')
    .description('Spark-style data pipeline and throughput analyser for image datasets')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  const declarations = commandsFor(argv);
  const schemas = await Promise.all(declarations.map((declaration) => declaration.schema()));
  declarations.forEach((declaration, i) => declareCommand(program, declaration, schemas[i]!, register));
  return program;
}

/**
 * The commands to declare for `argv`: only the one it begins with (`pipeline inspect ...`: the
 * program has no option that takes a value, so a first word that is a command's name is the command
 * commander runs, and its help, messages and exit codes involve no other); every command otherwise
 * (`pipeline --help`, `pipeline help convert`, a missing or unknown command, whose messages list or
 * suggest them all); none for `--version`. Each command's schema loads its own option modules:
 * not loading the others is start-up time saved on every run.
 */
function commandsFor(argv: readonly string[]): readonly CommandDeclaration[] {
  // `pipeline --version` prints the version and exits before any command could matter.
  if (argv[0] === '--version' || argv[0] === '-V') return [];
  const named = COMMANDS.find((declaration) => declaration.name === argv[0]);
  return named ? [named] : COMMANDS;
}

/** A subcommand whose options come from its schema; its action hands them, parsed, to `register`. */
function declareCommand(program: Command, { description, run }: CommandDeclaration, schema: CommandOptions<OptionSpecs>, register: Register): void {
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

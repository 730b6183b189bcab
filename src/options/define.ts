/**
 * One schema per command: each option's zod schema (its type, limits and default), the words
 * used when it is wrong, its help text and how a command-line string becomes its value. The CLI,
 * pipeline files and the library functions all parse through `parseOptions`, so they cannot
 * disagree about defaults or limits.
 */
import { z } from 'zod';
import { PipelineError, type ErrorCode } from '../errors.js';

export interface OptionSpec<S extends z.ZodTypeAny = z.ZodTypeAny> {
  /** The value as a library caller or a pipeline file gives it, with its default and limits. */
  schema: S;
  /** What a valid value is, for messages: "--quality: expected <expected>, got ...". */
  expected: string;
  help: string;
  /** A command-line argument rather than an option: commander's syntax, e.g. "<images-dir>". */
  argument?: string;
  /** The command-line flag when it is not the key in kebab-case ("--alarm" for `alarms`). */
  flag?: string;
  /** May be given several times on the command line; each value is appended to a list. */
  repeatable?: boolean;
  /** The option's value placeholder, e.g. "<n>" or "[mode]" (optional value); none for a flag. */
  value?: string;
  /** The value of an option given without its optional value (`--cache` alone). */
  preset?: string;
  /** Command-line text to value (before the schema validates it). Default: the text itself. */
  fromText?: (text: string) => unknown;
  /** The default as help shows it, when the schema has none or shows it badly ("cores", "1GiB"). */
  defaultText?: string;
  /** Not on the command line (only in the library and in pipeline files). */
  cli?: false;
}

export type OptionSpecs = Record<string, OptionSpec>;

export interface CommandOptions<T extends OptionSpecs> {
  name: string;
  specs: T;
  schema: z.ZodObject<{ [K in keyof T]: T[K]['schema'] }, 'strip'>;
}

/** Input (what callers may pass) and output (defaults filled, fully checked) of a command's options. */
export type OptionsInput<C extends CommandOptions<OptionSpecs>> = z.input<C['schema']>;
export type OptionsOutput<C extends CommandOptions<OptionSpecs>> = z.output<C['schema']>;

export function defineOptions<T extends OptionSpecs>(name: string, specs: T): CommandOptions<T> {
  const shape = Object.fromEntries(Object.entries(specs).map(([key, spec]) => [key, spec.schema]));
  // The mapped shape type is what z.object builds from `specs`; TypeScript cannot follow Object.fromEntries.
  return { name, specs, schema: z.object(shape) as CommandOptions<T>['schema'] };
}

/** Where options came from, which decides how a wrong one is named and which error code it gets. */
export type OptionSource =
  | { kind: 'cli'; raw: Record<string, string> }
  | { kind: 'file'; prefix: string; code?: ErrorCode }
  | { kind: 'library' };

/**
 * Validates `input` and fills the defaults. Unknown keys are dropped (a library caller's hooks such
 * as `signal` pass through untouched beside this). Throws one PipelineError listing every problem.
 */
export function parseOptions<S extends z.ZodTypeAny>(command: { specs: OptionSpecs; schema: S }, input: unknown, source: OptionSource = { kind: 'library' }): z.output<S> {
  const parsed = command.schema.safeParse(input);
  if (parsed.success) return parsed.data;
  // One line per option at fault (a size's two bad sides are one problem).
  const lines = [...new Set(parsed.error.issues.map((issue) => describeIssue(command, issue, input, source)))];
  const code: ErrorCode = source.kind === 'file' ? source.code ?? 'PIPELINE_FILE' : 'USAGE';
  throw new PipelineError(code, lines.join('\n'));
}

function describeIssue(command: { specs: OptionSpecs }, issue: z.ZodIssue, input: unknown, source: OptionSource): string {
  const key = String(issue.path[0] ?? '');
  const spec = command.specs[key];
  // The option's name, not a path inside its value: "size", not "size.width" (the value is shown whole).
  const where = spec ? key : issue.path.join('.');
  const name =
    source.kind === 'cli' ? (spec ? cliName(key, spec) : where || '(command line)')
    : source.kind === 'file' ? `${source.prefix}${where}`.replace(/\.$/, '') || '(top level)'
    : where || '(options)';
  const value = (input as Record<string, unknown> | undefined)?.[key];
  const got = source.kind === 'cli' && key in source.raw ? JSON.stringify(source.raw[key]) : value === undefined ? 'nothing' : JSON.stringify(value);
  if (!spec) return `${name}: ${issue.message}`;
  // A value checked by a parser with its own words (an alarm rule): those say what was wrong.
  if (issue.code === 'custom' && issue.message !== 'Invalid input') return `${name}: ${issue.message}`;
  return `${name}: expected ${spec.expected}, got ${got}`;
}

/** "maxPixels" -> "--max-pixels"; arguments keep their syntax ("<images-dir>"). */
export function cliName(key: string, spec: OptionSpec): string {
  return spec.argument ?? spec.flag ?? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** The default of an option as help prints it, or undefined when it has none. */
export function defaultText(spec: OptionSpec): string | undefined {
  if (spec.defaultText !== undefined) return spec.defaultText;
  if (!(spec.schema instanceof z.ZodDefault)) return undefined;
  const value: unknown = spec.schema._def.defaultValue();
  if (value === false) return undefined;
  if (Array.isArray(value)) return value.join(',');
  if (value && typeof value === 'object' && 'width' in value && 'height' in value) return `${value.width}x${value.height}`;
  return String(value);
}

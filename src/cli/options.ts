/**
 * Declares a command's options on commander from its schema (src/options/) and parses what
 * commander collected through that same schema: help, defaults, limits and messages have one source.
 */
import { Command, Option } from 'commander';
import { z } from 'zod';
import { cliName, defaultText, parseOptions, type CommandOptions, type OptionsOutput, type OptionSpec, type OptionSpecs } from '../options/define.js';

/** Adds the arguments and options of `command` to `cmd`; returns a reader of the parsed, typed options. */
export function declareOptions<C extends CommandOptions<OptionSpecs>>(cmd: Command, command: C): (cmd: Command) => OptionsOutput<C> {
  // The text each option was given as, for messages ("got ..."); filled as commander parses.
  const raw: Record<string, string> = {};
  const argumentKeys: string[] = [];
  // Commander's name for each option's value ("--alarm" is `alarm`): mapped back to the schema's key.
  const attributes = new Map<string, string>();
  for (const [key, spec] of Object.entries(command.specs)) {
    if (spec.cli === false) continue;
    if (spec.argument) {
      cmd.argument(spec.argument, helpText(spec));
      argumentKeys.push(key);
      continue;
    }
    const option = new Option(spec.value ? `${cliName(key, spec)} ${spec.value}` : cliName(key, spec), helpText(spec));
    if (spec.value) {
      option.argParser((text: string, previous: unknown) => {
        raw[key] = text;
        const value = spec.fromText ? spec.fromText(text) : text;
        return spec.repeatable ? [...(Array.isArray(previous) ? previous : []), value] : value;
      });
    }
    attributes.set(key, option.attributeName());
    if (spec.preset !== undefined) option.preset(spec.preset);
    cmd.addOption(option);
  }
  return (parsed: Command) => {
    const given = parsed.opts();
    const values: Record<string, unknown> = {};
    for (const [key, attribute] of attributes) if (given[attribute] !== undefined) values[key] = given[attribute];
    argumentKeys.forEach((key, i) => {
      const value: unknown = parsed.processedArgs[i];
      if (typeof value === 'string') raw[key] = value;
      values[key] = value;
    });
    return parseOptions(command, values, { kind: 'cli', raw });
  };
}

function helpText(spec: OptionSpec): string {
  const choices = enumValues(spec.schema);
  const extras = [choices && choices.join('|'), defaultText(spec) !== undefined && `default: ${defaultText(spec)}`].filter(Boolean);
  return extras.length ? `${spec.help} (${extras.join('; ')})` : spec.help;
}

function enumValues(schema: z.ZodTypeAny): readonly string[] | undefined {
  let inner = schema;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodOptional) inner = inner._def.innerType;
  return inner instanceof z.ZodEnum ? (inner.options as readonly string[]) : undefined;
}

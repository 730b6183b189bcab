/** Option parsers for commander: each throws a usage error naming the option and what was expected. */
import { usageError } from '../errors.js';
import { parseSplitSpec } from '../dataset/split.js';
import { parseAlarm } from '../hosts/alarms.js';

export function positiveInt(option: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw usageError(option, 'a positive integer', value);
    return n;
  };
}

export function nonNegativeInt(option: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw usageError(option, 'a whole number >= 0', value);
    return n;
  };
}

export function positiveNumber(option: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw usageError(option, 'a positive number', value);
    return n;
  };
}

export function intList(option: string) {
  return (value: string): number[] => {
    const parts = value.split(',').map((s) => s.trim()).filter(Boolean);
    const parse = positiveInt(option);
    if (parts.length === 0) throw usageError(option, 'a comma-separated list of positive integers', value);
    return parts.map((p) => {
      try {
        return parse(p);
      } catch {
        throw usageError(option, 'a comma-separated list of positive integers', value);
      }
    });
  };
}

export function oneOf<T extends string>(option: string, choices: readonly T[]) {
  return (value: string): T => {
    if (!choices.includes(value as T)) throw usageError(option, `one of ${choices.join('|')}`, value);
    return value as T;
  };
}

/** The largest side a stored image may have (libjpeg / WebP limit: 16384 in practice). */
export const MAX_SIDE = 16384;

/** "192x192" -> {width, height}, or what is wrong: the one rule of the CLI and of pipeline files. */
export function parseSize(value: string): { width: number; height: number } | { problem: string } {
  const m = /^(\d+)x(\d+)$/i.exec(value.trim());
  if (!m) return { problem: 'WxH, e.g. 192x192' };
  const width = Number(m[1]);
  const height = Number(m[2]);
  if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) return { problem: `WxH with each side from 1 to ${MAX_SIDE} (the maximum)` };
  return { width, height };
}

export function size(option: string) {
  return (value: string): { width: number; height: number } => {
    const parsed = parseSize(value);
    if ('problem' in parsed) throw usageError(option, parsed.problem, value);
    return parsed;
  };
}

export function intInRange(option: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || n < min || n > max) throw usageError(option, `an integer from ${min} to ${max}`, value);
    return n;
  };
}

/** "512MiB", "2GiB", "1e9" (bytes) -> bytes */
export function byteSize(option: string) {
  return (value: string): number => {
    const m = /^(\d+(?:\.\d+)?(?:e\d+)?)\s*(B|KiB|MiB|GiB|KB|MB|GB)?$/i.exec(value.trim());
    const units: Record<string, number> = { b: 1, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, kb: 1e3, mb: 1e6, gb: 1e9 };
    const n = m ? Number(m[1]) * units[(m[2] ?? 'b').toLowerCase()] : NaN;
    if (!Number.isFinite(n) || n <= 0) throw usageError(option, 'a size such as 512MiB or 2GiB', value);
    return Math.floor(n);
  };
}

export function stringList<T extends string>(option: string, choices: readonly T[]) {
  return (value: string): T[] => {
    const parts = value.split(',').map((s) => s.trim()).filter(Boolean);
    if (parts.length === 0 || parts.some((p) => !choices.includes(p as T))) throw usageError(option, `a comma list of ${choices.join(', ')}`, value);
    return [...new Set(parts)] as T[];
  };
}

export function nonNegativeNumber(option: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0 || value.trim() === '') throw usageError(option, 'a number >= 0', value);
    return n;
  };
}

/** A repeatable `--alarm`: each value parsed and appended. */
export function alarmList(option: string) {
  return (value: string, previous: import('../hosts/alarms.js').Alarm[] | undefined) => [...(previous ?? []), parseAlarm(value, option)];
}

/** A worker's --name: printable, 1-100 characters (it lands in CSV, HTML and Redis). */
export function hostName(option: string) {
  return (value: string): string => {
    // eslint-disable-next-line no-control-regex
    if (value.trim() === '' || value.length > 100 || /[\u0000-\u001f\u007f]/.test(value)) throw usageError(option, 'a name of 1-100 printable characters', value);
    return value;
  };
}

/** "5%" or "0.05" -> 0.05 (a fraction from 0 to 1). */
export function fraction(option: string) {
  return (value: string): number => {
    const text = value.trim();
    const n = text.endsWith('%') ? Number(text.slice(0, -1)) / 100 : Number(text);
    if (text === '' || text === '%' || !Number.isFinite(n) || n < 0 || n > 1) throw usageError(option, 'a fraction such as 0.05 or 5%', value);
    return n;
  };
}

/** A repeatable option: every occurrence appended, each parsed by `parse`. */
export function repeatable<T>(parse: (value: string) => T) {
  return (value: string, previous: T[] | undefined): T[] => [...(previous ?? []), parse(value)];
}

/** `--where batch_size=64`: a column and the value rows must have. */
export interface WhereFilter {
  key: string;
  value: string;
}

export function parseWhere(text: string): WhereFilter {
  const m = /^([^=\s][^=]*)=(.*)$/.exec(text);
  if (!m) throw usageError('--where', 'KEY=VALUE, e.g. batch_size=64', text);
  return { key: m[1].trim().toLowerCase(), value: m[2].trim() };
}

/** "1%" / "0.5%" (of reads) or "10" (problems) -> the --max-problems limit */
export function problemLimit(option: string) {
  return (value: string): { fraction: number } | { count: number } => {
    const v = value.trim();
    const percent = /^(\d+(?:\.\d+)?)%$/.exec(v);
    if (percent && Number(percent[1]) <= 100) return { fraction: Number(percent[1]) / 100 };
    if (/^\d+$/.test(v) && Number.isSafeInteger(Number(v))) return { count: Number(v) };
    throw usageError(option, 'a count such as 10 or a percentage of reads such as 1%', value);
  };
}

/** A repeatable `--price-per-host NAME=PRICE`: the last word after "=" is the price (names may hold "="). */
export function hostPrices(option: string) {
  return (value: string, previous: Record<string, number> | undefined): Record<string, number> => {
    const at = value.lastIndexOf('=');
    const name = value.slice(0, at).trim();
    const price = Number(value.slice(at + 1));
    if (at <= 0 || name === '' || !Number.isFinite(price) || price <= 0) throw usageError(option, 'NAME=PRICE with a positive price, e.g. worker-a=0.34', value);
    return { ...(previous ?? {}), [name]: price };
  };
}

/** "train=0.8,val=0.1,test=0.1" -> the split spec (src/dataset/split.ts). */
export function splitSpec(option: string) {
  return (value: string) => parseSplitSpec(value, option);
}

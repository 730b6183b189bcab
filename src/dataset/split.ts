/**
 * Deterministic train / val / test splits, pure. Each image's split depends only on its path
 * relative to the dataset: u = the first 48 bits of SHA-256(relative path) / 2^48, and the split is
 * the first whose cumulative fraction exceeds u. Adding or removing an image never moves another
 * between splits, and every class is split by the same rule on its own images (so each class
 * holds the fractions up to the hash's sampling noise: stratified in expectation, never re-drawn).
 */
import { createHash } from 'node:crypto';
import { usageError } from '../errors.js';

export type SplitSpec = [name: string, fraction: number][];

/** "train=0.8,val=0.1,test=0.1" (fractions or percentages adding up to 1). */
export function parseSplitSpec(text: string, option = '--split'): SplitSpec {
  const parts = text.split(',').map((s) => s.trim()).filter(Boolean);
  const spec: SplitSpec = [];
  for (const part of parts) {
    const m = /^([A-Za-z][A-Za-z0-9_]*)=(\d+(?:\.\d+)?)(%?)$/.exec(part);
    if (!m) throw usageError(option, 'name=fraction pairs such as train=0.8,val=0.1,test=0.1', text);
    const fraction = Number(m[2]) / (m[3] ? 100 : 1);
    if (!(fraction > 0) || spec.some(([n]) => n === m[1])) throw usageError(option, 'distinct split names with fractions above 0', text);
    spec.push([m[1], fraction]);
  }
  const total = spec.reduce((s, [, f]) => s + f, 0);
  if (spec.length === 0 || Math.abs(total - 1) > 1e-9) throw usageError(option, `fractions adding up to 1 (these add up to ${+total.toPrecision(6)})`, text);
  return spec;
}

/** The image's position in [0, 1), from its relative path alone. */
export function splitPosition(rel: string): number {
  return createHash('sha256').update(rel, 'utf8').digest().readUIntBE(0, 6) / 2 ** 48;
}

export function splitOfPath(rel: string, spec: SplitSpec): string {
  const u = splitPosition(rel);
  let cumulative = 0;
  for (const [name, fraction] of spec) {
    cumulative += fraction;
    if (u < cumulative) return name;
  }
  return spec[spec.length - 1][0];
}

/** The items of each split, in input order. */
export function splitItems<T extends { rel: string }>(items: readonly T[], spec: SplitSpec): Map<string, T[]> {
  const out = new Map<string, T[]>(spec.map(([name]) => [name, []]));
  for (const item of items) out.get(splitOfPath(item.rel, spec))!.push(item);
  return out;
}

/**
 * What the records of a dataset hold, feature by feature, pure: how many records have each key
 * with each type, where a key's type changes between records (a conflict: a reader parses every
 * record with one spec), and, for SequenceExamples, the feature lists and their lengths in frames.
 * An empty feature (no list set: TFX's missing value) has no type, so it is counted but is never
 * a conflict.
 */
import { featureType, type AnyExample, type Feature, type Features, type FeatureType } from './example.js';

export type TypeCounts = Partial<Record<FeatureType, number>>;

/** Where a record is: the same fields as a record problem, so a conflict can be reported as one. */
export interface RecordPlace {
  file: string;
  offset: number;
  record: number;
}

export interface FeatureListSummary {
  /** Frames of each type, over all records. */
  types: TypeCounts;
  /** Records holding this list. */
  records: number;
  /** Frames per record: fewest and most. */
  frames: { min: number; max: number };
}

export interface TypeConflict {
  /** The feature key (for a feature list: `feature_lists/<key>`). */
  key: string;
  types: TypeCounts;
  /** The first record whose type is not the key's usual one. */
  first: RecordPlace;
  /** One line: `feature "label" is int64 in 97 records, bytes in 3 (first: record 7 of a.tfrecord)`. */
  message: string;
}

export class FeatureCensus {
  /** Records per key and type; context features of SequenceExamples included. */
  readonly types: Record<string, TypeCounts> = {};
  readonly featureLists: Record<string, FeatureListSummary> = {};
  examples = 0;
  sequenceExamples = 0;
  /** The first record of each key and type, to point at a conflict. */
  private readonly firstOf = new Map<string, Map<FeatureType, RecordPlace>>();

  /**
   * One Example given by its keys and types only (what a wire scan reads without decoding the
   * record: a fast path for the records past the ones inspect keeps).
   */
  addExampleTypes(types: Iterable<readonly [string, FeatureType]>, place: RecordPlace): void {
    this.examples++;
    for (const [key, type] of types) this.countType((this.types[key] ??= {}), key, type, place);
  }

  add(record: AnyExample, place: RecordPlace): void {
    if (record.kind === 'example') {
      this.examples++;
      this.addFeatures(record.features, place);
      return;
    }
    this.sequenceExamples++;
    this.addFeatures(record.context, place);
    for (const [key, frames] of Object.entries(record.featureLists)) {
      const list = (this.featureLists[key] ??= { types: {}, records: 0, frames: { min: frames.length, max: frames.length } });
      list.records++;
      list.frames.min = Math.min(list.frames.min, frames.length);
      list.frames.max = Math.max(list.frames.max, frames.length);
      for (const frame of frames) this.count(list.types, `feature_lists/${key}`, frame, place);
    }
  }

  /**
   * An Example known only by its keys and their types (src/tfrecord/example-scan.ts, in wire
   * order): the same counts as `add` of the decoded record, no record or place object made.
   */
  addTypes(keys: readonly string[], types: readonly FeatureType[], file: string, offset: number, record: number): void {
    this.examples++;
    for (let i = 0; i < keys.length; i++) {
      const counts = (this.types[keys[i]] ??= {});
      const type = types[i];
      const seen = counts[type];
      if (seen !== undefined) {
        // Not the first record of this key and type: its place is kept already.
        counts[type] = seen + 1;
        continue;
      }
      counts[type] = 1;
      let firsts = this.firstOf.get(keys[i]);
      if (!firsts) this.firstOf.set(keys[i], (firsts = new Map()));
      if (!firsts.has(type)) firsts.set(type, { file, offset, record });
    }
  }

  /** Each key's type: the one most records have, an empty feature only when it is never anything else. */
  usualTypes(): Record<string, FeatureType> {
    const out: Record<string, FeatureType> = {};
    for (const [key, counts] of Object.entries(this.types)) out[key] = usualType(counts);
    return out;
  }

  /** Keys with two or more types (empty features aside), most records' type first. */
  conflicts(): TypeConflict[] {
    const out: TypeConflict[] = [];
    const check = (key: string, counts: TypeCounts, unit: string) => {
      const typed = Object.entries(counts).filter(([t]) => t !== 'empty') as [FeatureType, number][];
      if (typed.length < 2) return;
      typed.sort((a, b) => b[1] - a[1]);
      const usual = typed[0]![0];
      // The earliest record of any other type: that is where a reader parsing with the usual spec fails.
      const places = typed.slice(1).map(([t]) => this.firstOf.get(key)!.get(t)!);
      const first = places.reduce((a, b) => (b.file < a.file || (b.file === a.file && b.record < a.record) ? b : a));
      const list = typed.map(([t, n], i) => (i === 0 ? `${t} in ${n} ${unit}` : `${t} in ${n}`)).join(', ');
      out.push({ key, types: counts, first, message: `feature "${key}" has ${typed.length} types: ${list} (first not ${usual}: record ${first.record} of ${first.file})` });
    };
    for (const [key, counts] of Object.entries(this.types)) check(key, counts, 'records');
    for (const [key, list] of Object.entries(this.featureLists)) check(`feature_lists/${key}`, list.types, 'frames');
    return out;
  }

  private addFeatures(features: Features, place: RecordPlace): void {
    for (const [key, feature] of Object.entries(features)) this.count((this.types[key] ??= {}), key, feature, place);
  }

  private count(counts: TypeCounts, key: string, feature: Feature, place: RecordPlace): void {
    this.countType(counts, key, featureType(feature), place);
  }

  private countType(counts: TypeCounts, key: string, type: FeatureType, place: RecordPlace): void {
    counts[type] = (counts[type] ?? 0) + 1;
    let firsts = this.firstOf.get(key);
    if (!firsts) this.firstOf.set(key, (firsts = new Map()));
    if (!firsts.has(type)) firsts.set(type, place);
  }
}

export function usualType(counts: TypeCounts): FeatureType {
  let best: FeatureType = 'empty';
  let most = 0;
  for (const [type, n] of Object.entries(counts) as [FeatureType, number][]) {
    if (type !== 'empty' && n > most) [best, most] = [type, n];
  }
  return best;
}

/**
 * The feature keys and types of a serialized tf.train.Example, read off the wire without building
 * the Example: `inspect --verify` asks this of every record, and decoding each one (protobufjs
 * objects, a bigint per int64, a view per bytes value) cost more CPU than reading the file and
 * checking its CRCs together. Pure.
 *
 * It accepts only the plain shape TensorFlow and this project write (each key once, one list per
 * feature, ASCII keys, no unknown fields) and checks every length and varint; anything else gets
 * `false`, and the caller decodes the record with `decodeExample`, which decides.
 */
import type { FeatureType } from './example.js';

/** Wire types. */
const VARINT = 0;
const LENGTH = 2;
const FIXED32 = 5;

/** Feature's oneof field numbers -> type. */
const KINDS: Record<number, FeatureType> = { 1: 'bytes', 2: 'float', 3: 'int64' };

/** A record's feature keys and their types, in wire order. Reused between calls: use it at once. */
export interface ScannedTypes {
  keys: string[];
  types: FeatureType[];
}

/**
 * The feature keys of `data` and their types, as `decodeAnyExample` then `featureType` would give
 * them (an Example; an empty Feature is 'empty'); undefined when the record is not of the plain shape.
 */
export function scanExampleFeatureTypes(data: Uint8Array): ScannedTypes | undefined {
  r.pos = 0;
  const keys = scratchKeys;
  const types = scratchTypes;
  // Entries are written over the last record's, and the lists cut to length once at the end:
  // emptying them first (`length = 0`) freed their storage, made again on every record.
  let count = 0;
  while (r.pos < data.length) {
    const tag = varint(data, r);
    if (tag !== ((1 << 3) | LENGTH)) return undefined; // Example.features
    const featuresEnd = lengthEnd(data, r, data.length);
    if (featuresEnd < 0) return undefined;
    while (r.pos < featuresEnd) {
      if (varint(data, r) !== ((1 << 3) | LENGTH)) return undefined; // Features.feature (map entry)
      const entryEnd = lengthEnd(data, r, featuresEnd);
      if (entryEnd < 0) return undefined;
      // Entry: key (1, string) then value (2, Feature), in that order.
      if (varint(data, r) !== ((1 << 3) | LENGTH)) return undefined;
      const keyEnd = lengthEnd(data, r, entryEnd);
      if (keyEnd < 0) return undefined;
      const key = asciiKey(data, r.pos, keyEnd, count);
      if (key === undefined) return undefined;
      r.pos = keyEnd;
      let type: FeatureType = 'empty'; // a Feature with no list set
      if (r.pos < entryEnd) {
        if (varint(data, r) !== ((2 << 3) | LENGTH)) return undefined;
        const featureEnd = lengthEnd(data, r, entryEnd);
        if (featureEnd !== entryEnd) return undefined;
        if (r.pos < featureEnd) {
          const listTag = varint(data, r);
          const kind = KINDS[listTag >>> 3];
          if (!kind || (listTag & 7) !== LENGTH) return undefined;
          const listEnd = lengthEnd(data, r, featureEnd);
          if (listEnd !== featureEnd || !checkList(data, r, listEnd, kind)) return undefined;
          type = kind;
        }
      }
      if (r.pos !== entryEnd || seenBefore(keys, count, key)) return undefined;
      keys[count] = key;
      types[count] = type;
      count++;
    }
    if (r.pos !== featuresEnd) return undefined;
    // A second Example.features would be merged by a decoder: leave that to it.
    if (r.pos !== data.length) return undefined;
  }
  if (keys.length !== count) {
    keys.length = count;
    types.length = count;
  }
  return scanned;
}

/** Whether `key` is among the first `count` of `keys`. */
function seenBefore(keys: readonly string[], count: number, key: string): boolean {
  for (let i = 0; i < count; i++) if (keys[i] === key) return true;
  return false;
}

// The read position, one for the module: an object made per record (and passed to every varint
// read) cost a quarter of the scan.
const r = { pos: 0 };

// Reused between calls: records of a file hold the same keys in the same order, so the key at each
// position is compared with the last one seen there instead of making a new string.
const scratchKeys: string[] = [];
const scratchTypes: FeatureType[] = [];
const scanned: ScannedTypes = { keys: scratchKeys, types: scratchTypes };
const lastKeys: string[] = [];

/** The ASCII key at [start, end) (the `position`-th of its record), or undefined when not ASCII (or `__proto__`). */
function asciiKey(data: Uint8Array, start: number, end: number, position: number): string | undefined {
  const last = lastKeys[position];
  if (last !== undefined && last.length === end - start) {
    let same = true;
    for (let i = 0; i < last.length && same; i++) same = last.charCodeAt(i) === data[start + i];
    if (same) return last;
  }
  let key = '';
  for (let i = start; i < end; i++) {
    if (data[i] >= 0x80) return undefined;
    key += String.fromCharCode(data[i]);
  }
  // `__proto__` would reach Object.prototype through the census's `types[key] ??= {}`: such a
  // record is left to the full decode, whose map never holds it as a key.
  if (key === '__proto__') return undefined;
  lastKeys[position] = key;
  return key;
}

/** The values of a BytesList, FloatList or Int64List body at [r.pos, end), each checked. */
function checkList(data: Uint8Array, r: { pos: number }, end: number, kind: FeatureType): boolean {
  while (r.pos < end) {
    const tag = varint(data, r);
    if (tag >>> 3 !== 1) return false;
    const wire = tag & 7;
    if (kind === 'bytes') {
      if (wire !== LENGTH) return false;
      const valueEnd = lengthEnd(data, r, end);
      if (valueEnd < 0) return false;
      r.pos = valueEnd;
    } else if (kind === 'float') {
      if (wire === FIXED32) {
        if (r.pos + 4 > end) return false;
        r.pos += 4;
      } else if (wire === LENGTH) {
        const packedEnd = lengthEnd(data, r, end);
        if (packedEnd < 0 || (packedEnd - r.pos) % 4 !== 0) return false;
        r.pos = packedEnd;
      } else return false;
    } else if (wire === VARINT) {
      varint(data, r);
      if (r.pos > end) return false;
    } else if (wire === LENGTH) {
      const packedEnd = lengthEnd(data, r, end);
      if (packedEnd < 0) return false;
      while (r.pos < packedEnd) varint(data, r);
      if (r.pos !== packedEnd) return false;
    } else return false;
  }
  return r.pos === end;
}

/**
 * A varint at r.pos (advancing it), up to 10 bytes; values past 2^31 come back negative or wrong,
 * which no tag or length here may be (callers compare to small numbers or check bounds). A varint
 * running past the data or past 10 bytes leaves r.pos past the data's end.
 */
function varint(data: Uint8Array, r: { pos: number }): number {
  // Tags and short lengths are one byte: read those without the loop.
  const first = data[r.pos];
  if (first < 0x80) {
    r.pos++;
    return first;
  }
  let value = 0;
  let shift = 0;
  for (let i = 0; i < 10; i++) {
    if (r.pos >= data.length) {
      r.pos = Infinity;
      return -1;
    }
    const b = data[r.pos++];
    if (shift < 28) value |= (b & 0x7f) << shift;
    else if (shift === 28) value |= (b & 0x0f) << 28;
    if (b < 0x80) return shift < 35 && !(shift === 28 && b > 0x0f) ? value >>> 0 : -1;
    shift += 7;
  }
  r.pos = Infinity;
  return -1;
}

/** Reads a length varint at r.pos (advancing past it) and returns where that many bytes end, or -1 past `limit`. */
function lengthEnd(data: Uint8Array, r: { pos: number }, limit: number): number {
  const length = varint(data, r);
  if (length < 0 || r.pos > limit) return -1;
  const end = r.pos + length;
  return end <= limit ? end : -1;
}

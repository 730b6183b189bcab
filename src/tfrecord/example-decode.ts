/**
 * A tf.train.Example of the plain shape decoded by hand, without protobufjs: `pipeline inspect`
 * decodes its first records (key detection, --dump) and loading protobufjs cost about 30 ms of a
 * 0.5 s `inspect --verify`. Pure.
 *
 * The plain shape is what TensorFlow and this project write: one `features` field, map entries of
 * an ASCII key then a Feature, each key once, a Feature holding one list or none, no unknown
 * fields. Anything else (a SequenceExample, odd wire types, 64-bit varints past 64 bits, ...) gets
 * undefined and the caller decodes the record with `decodeAnyExample` (protobufjs), which decides.
 * For a plain record the result is what `decodeAnyExample` gives (test/tfrecord/example-decode.test.ts).
 */
import type { AnyExample, Feature, Features } from './example.js';

const VARINT = 0;
const LENGTH = 2;
const FIXED32 = 5;
const TAG_1_LENGTH = (1 << 3) | LENGTH;
const TAG_2_LENGTH = (2 << 3) | LENGTH;

/** `data` decoded as `decodeAnyExample` would, when it is a plain Example; else undefined. */
export function decodePlainExample(data: Uint8Array): AnyExample | undefined {
  const cursor = { pos: 0 };
  const features: Features = {};
  if (data.length === 0) return { kind: 'example', features };
  if (varint32(data, cursor) !== TAG_1_LENGTH) return undefined; // Example.features (or a SequenceExample's context)
  const featuresEnd = lengthEnd(data, cursor, data.length);
  // A second field (another `features`, which a decoder merges, or feature_lists): protobufjs decides.
  if (featuresEnd !== data.length) return undefined;
  while (cursor.pos < featuresEnd) {
    if (varint32(data, cursor) !== TAG_1_LENGTH) return undefined; // Features.feature (a map entry)
    const entryEnd = lengthEnd(data, cursor, featuresEnd);
    if (entryEnd < 0 || varint32(data, cursor) !== TAG_1_LENGTH) return undefined; // the key
    const keyEnd = lengthEnd(data, cursor, entryEnd);
    if (keyEnd < 0) return undefined;
    const key = asciiKey(data, cursor.pos, keyEnd);
    if (key === undefined || Object.prototype.hasOwnProperty.call(features, key)) return undefined;
    cursor.pos = keyEnd;
    // The value: an entry without one is left to protobufjs (which has its own idea of it).
    if (cursor.pos >= entryEnd || varint32(data, cursor) !== TAG_2_LENGTH) return undefined;
    const featureEnd = lengthEnd(data, cursor, entryEnd);
    if (featureEnd !== entryEnd) return undefined;
    const feature = cursor.pos === featureEnd ? { empty: true as const } : decodeFeature(data, cursor, featureEnd);
    if (!feature || cursor.pos !== entryEnd) return undefined;
    features[key] = feature;
  }
  return cursor.pos === featuresEnd ? { kind: 'example', features } : undefined;
}

/** One Feature's single list at [cursor.pos, end). */
function decodeFeature(data: Uint8Array, cursor: { pos: number }, end: number): Feature | undefined {
  const tag = varint32(data, cursor);
  if ((tag & 7) !== LENGTH) return undefined;
  const listEnd = lengthEnd(data, cursor, end);
  if (listEnd !== end) return undefined;
  const kind = tag >>> 3;
  if (kind === 1) return bytesList(data, cursor, end);
  if (kind === 2) return floatList(data, cursor, end);
  if (kind === 3) return int64List(data, cursor, end);
  return undefined;
}

function bytesList(data: Uint8Array, cursor: { pos: number }, end: number): Feature | undefined {
  const bytes: Uint8Array[] = [];
  while (cursor.pos < end) {
    if (varint32(data, cursor) !== TAG_1_LENGTH) return undefined;
    const valueEnd = lengthEnd(data, cursor, end);
    if (valueEnd < 0) return undefined;
    // Views of the record, as protobufjs gives them (an empty value is a fresh empty Buffer there too).
    bytes.push(valueEnd === cursor.pos ? Buffer.alloc(0) : data.subarray(cursor.pos, valueEnd));
    cursor.pos = valueEnd;
  }
  return { bytes };
}

function floatList(data: Uint8Array, cursor: { pos: number }, end: number): Feature | undefined {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const float: number[] = [];
  while (cursor.pos < end) {
    const tag = varint32(data, cursor);
    if (tag >>> 3 !== 1) return undefined;
    // Packed (what TensorFlow writes) or one value per tag: a decoder takes both.
    const valuesEnd = (tag & 7) === LENGTH ? lengthEnd(data, cursor, end) : (tag & 7) === FIXED32 ? cursor.pos + 4 : -1;
    if (valuesEnd < 0 || valuesEnd > end || (valuesEnd - cursor.pos) % 4 !== 0) return undefined;
    for (; cursor.pos < valuesEnd; cursor.pos += 4) float.push(view.getFloat32(cursor.pos, true));
  }
  return { float };
}

function int64List(data: Uint8Array, cursor: { pos: number }, end: number): Feature | undefined {
  const int64: bigint[] = [];
  while (cursor.pos < end) {
    const tag = varint32(data, cursor);
    if (tag >>> 3 !== 1) return undefined;
    const valuesEnd = (tag & 7) === LENGTH ? lengthEnd(data, cursor, end) : (tag & 7) === VARINT ? end : -1;
    if (valuesEnd < 0) return undefined;
    const single = (tag & 7) === VARINT;
    while (cursor.pos < valuesEnd) {
      const value = varint64(data, cursor, valuesEnd);
      if (value === undefined) return undefined;
      int64.push(value);
      if (single) break;
    }
    if (!single && cursor.pos !== valuesEnd) return undefined;
  }
  return cursor.pos === end ? { int64 } : undefined;
}

/** A signed 64-bit varint before `end` as a bigint (two's complement, as protobufjs reads int64); undefined past 64 bits or `end`. */
function varint64(data: Uint8Array, cursor: { pos: number }, end: number): bigint | undefined {
  let value = 0n;
  for (let i = 0; i < 10; i++) {
    if (cursor.pos >= end) return undefined;
    const b = data[cursor.pos++];
    // The tenth byte holds bit 63 only.
    if (i === 9 && b > 1) return undefined;
    value |= BigInt(b & 0x7f) << BigInt(7 * i);
    if (b < 0x80) return BigInt.asIntN(64, value);
  }
  return undefined;
}

/** A tag or length varint (under 2^31), or -1 when longer, larger or past the data. */
function varint32(data: Uint8Array, cursor: { pos: number }): number {
  let value = 0;
  for (let shift = 0; shift < 31; shift += 7) {
    if (cursor.pos >= data.length) return -1;
    const b = data[cursor.pos++];
    value |= (b & 0x7f) << shift;
    if (b < 0x80) return shift === 28 && b > 0x07 ? -1 : value;
  }
  return -1;
}

/** Reads a length at cursor.pos and returns where that many bytes end, or -1 past `limit`. */
function lengthEnd(data: Uint8Array, cursor: { pos: number }, limit: number): number {
  const length = varint32(data, cursor);
  if (length < 0 || cursor.pos > limit) return -1;
  const end = cursor.pos + length;
  return end <= limit ? end : -1;
}

/** The ASCII key at [start, end); undefined for other text or `__proto__` (which an object key cannot be). */
function asciiKey(data: Uint8Array, start: number, end: number): string | undefined {
  let key = '';
  for (let i = start; i < end; i++) {
    if (data[i] >= 0x80) return undefined;
    key += String.fromCharCode(data[i]);
  }
  return key === '__proto__' ? undefined : key;
}

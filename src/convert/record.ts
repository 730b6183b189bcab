/**
 * The tf.train.Example of one converted image, written straight into bytes: the same bytes as
 * `encodeExample` (keys sorted, int64 lists packed: test/convert/record.test.ts compares them), at
 * a fraction of its cost. protobufjs built a message object, a {low, high} pair per int64 and a
 * writer chain per field; at 96x72 -> 32 that was a quarter of the worker's CPU per image.
 */
import type { StoredImage } from './image.js';

/** Feature keys of a converted record (--image-key / --label-key rename the first two). */
export interface RecordKeys {
  image: string;
  class: string;
  label: string;
}

export interface RecordFile {
  rel: string;
  label: number;
  className: string;
}

/** Bytes a varint of `n` (a non-negative safe integer) takes. */
function varintBytes(n: number): number {
  let bytes = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    bytes++;
  }
  return bytes;
}

/** Bytes of an int64 varint: ten for a negative value (two's complement, as protobuf writes it). */
const int64Bytes = (n: number) => (n < 0 ? 10 : varintBytes(n));

function writeVarint(out: Buffer, at: number, n: number): number {
  while (n >= 128) {
    out[at++] = (n % 128) | 128;
    n = Math.floor(n / 128);
  }
  out[at++] = n;
  return at;
}

function writeInt64(out: Buffer, at: number, n: number): number {
  if (n >= 0) return writeVarint(out, at, n);
  let u = BigInt.asUintN(64, BigInt(n));
  for (let i = 0; i < 9; i++) {
    out[at++] = Number(u & 0x7fn) | 128;
    u >>= 7n;
  }
  out[at++] = Number(u);
  return at;
}

/**
 * An encoder for one task's records: the keys' order and bytes are worked out once.
 *
 * Async only for the rare colliding keys: the generic encoder's protobufjs (about 0.05 s of CPU per
 * thread to load) is imported for them alone.
 *
 * @example const encode = await recordEncoder({ image: 'image', class: 'class', label: 'label' });
 *          shard.push(encode(storedImage, { rel: 'cat/1.jpg', label: 0, className: 'cat' }));
 */
/**
 * The features by number: the bytes fields first (`id <= FIELD.format`), then the int64 ones. The
 * encoder below loops over numbers and typed arrays, not over objects of two shapes per field: its
 * code stays monomorphic and allocates only the record, so it is optimised once, early, and cheaply
 * (the object version cost about 80 ms of optimising-compiler time per thread, compiled twice
 * after a deoptimisation, and a dozen objects per image for the garbage collector).
 */
const FIELD = { image: 0, label: 1, filename: 2, format: 3, class: 4, height: 5, width: 6, channels: 7 } as const;

export async function recordEncoder(keys: RecordKeys): Promise<(image: StoredImage, file: RecordFile) => Buffer> {
  const names = { image: keys.image, class: keys.class, label: keys.label, filename: 'filename', height: 'height', width: 'width', channels: 'channels', format: 'format' };
  type Name = keyof typeof names;
  // Keys that collide (--image-key filename) leave one feature of the two, as the generic encoder does.
  if (new Set(Object.values(names)).size < Object.keys(names).length) {
    const { encodeExample } = await import('../tfrecord/example.js');
    return (image, file) => Buffer.from(encodeExample(genericFeatures(keys, image, file)));
  }
  // The order encodeExample writes: keys sorted, then as a JavaScript object orders them (integer-like keys first).
  const sorted: Record<string, Name> = {};
  for (const [name, key] of (Object.entries(names) as [Name, string][]).sort(([, a], [, b]) => (a < b ? -1 : a > b ? 1 : 0))) sorted[key] = name;
  const fields = Object.keys(sorted).map((key) => ({ id: FIELD[sorted[key]], key: Buffer.from(key, 'utf8') }));
  const formats = { jpeg: Buffer.from('jpeg'), png: Buffer.from('png') };
  // Per field, in `fields` order: a bytes field's length or an int64 field's value, and the sizes
  // of its Feature and map entry. Reused from record to record (the encoder runs on one thread).
  const values = new Float64Array(fields.length);
  const features = new Int32Array(fields.length);
  const entries = new Int32Array(fields.length);
  const tables: FieldTables = { fields, values, features, entries };
  return (image, file) => {
    const format = formats[image.format];
    let featuresBytes = 0;
    for (let i = 0; i < fields.length; i++) {
      const { id, key } = fields[i];
      let inner;
      if (id <= FIELD.format) {
        const length = id === FIELD.image ? image.data.length : id === FIELD.format ? format.length : Buffer.byteLength(id === FIELD.label ? file.className : file.rel, 'utf8');
        values[i] = length;
        inner = 1 + varintBytes(length) + length; // BytesList.value
      } else {
        const value = id === FIELD.class ? file.label : id === FIELD.height ? image.height : id === FIELD.width ? image.width : image.channels;
        values[i] = value;
        const packed = int64Bytes(value);
        inner = 1 + varintBytes(packed) + packed; // Int64List.value, packed
      }
      const feature = 1 + varintBytes(inner) + inner;
      const entry = 1 + varintBytes(key.length) + key.length + 1 + varintBytes(feature) + feature;
      features[i] = feature;
      entries[i] = entry;
      featuresBytes += 1 + varintBytes(entry) + entry;
    }
    const out = Buffer.allocUnsafe(1 + varintBytes(featuresBytes) + featuresBytes);
    writeFields(out, featuresBytes, tables, image, file, format);
    return out;
  };
}

/** The sizes pass's tables, for the writing pass (`recordEncoder`). */
interface FieldTables {
  fields: { id: number; key: Buffer }[];
  values: Float64Array;
  features: Int32Array;
  entries: Int32Array;
}

/** The record's bytes into `out`, sized by the first pass: the second half of `recordEncoder`'s loop. */
function writeFields(out: Buffer, featuresBytes: number, tables: FieldTables, image: StoredImage, file: RecordFile, format: Buffer): void {
  const { fields, values, features, entries } = tables;
  let at = 0;
  out[at++] = 0x0a; // Example.features
  at = writeVarint(out, at, featuresBytes);
  for (let i = 0; i < fields.length; i++) {
    const { id, key } = fields[i];
    out[at++] = 0x0a; // Features.feature (map entry)
    at = writeVarint(out, at, entries[i]);
    out[at++] = 0x0a; // key
    at = writeVarint(out, at, key.length);
    // TypedArray set, not Buffer copy: a builtin, where copy's argument checks in JavaScript were
    // the largest function the optimising compiler then compiled.
    out.set(key, at);
    at += key.length;
    out[at++] = 0x12; // value
    at = writeVarint(out, at, features[i]);
    const value = values[i];
    if (id <= FIELD.format) {
      out[at++] = 0x0a; // Feature.bytes_list
      at = writeVarint(out, at, 1 + varintBytes(value) + value);
      out[at++] = 0x0a; // BytesList.value
      at = writeVarint(out, at, value);
      if (id === FIELD.image) {
        out.set(image.data, at);
        at += value;
      } else if (id === FIELD.format) {
        out.set(format, at);
        at += value;
      } else at += out.write(id === FIELD.label ? file.className : file.rel, at, value, 'utf8');
    } else {
      const packed = int64Bytes(value);
      out[at++] = 0x1a; // Feature.int64_list
      at = writeVarint(out, at, 1 + varintBytes(packed) + packed);
      out[at++] = 0x0a; // Int64List.value, packed
      at = writeVarint(out, at, packed);
      at = writeInt64(out, at, value);
    }
  }
}

/** The record as `encodeExample`'s input, the features in the order a literal would give them. */
export function genericFeatures(keys: RecordKeys, image: StoredImage, file: RecordFile) {
  return {
    [keys.image]: { bytes: [image.data] },
    [keys.class]: { int64: [BigInt(file.label)] },
    [keys.label]: { bytes: [Buffer.from(file.className, 'utf8')] },
    filename: { bytes: [Buffer.from(file.rel, 'utf8')] },
    height: { int64: [BigInt(image.height)] },
    width: { int64: [BigInt(image.width)] },
    channels: { int64: [BigInt(image.channels)] },
    format: { bytes: [Buffer.from(image.format)] },
  };
}

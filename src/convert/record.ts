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

type Value = { bytes: Uint8Array } | { int64: number };

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

/** The Feature message's length for one value. */
function featureBytes(value: Value): number {
  if ('bytes' in value) {
    const inner = 1 + varintBytes(value.bytes.length) + value.bytes.length; // BytesList.value
    return 1 + varintBytes(inner) + inner;
  }
  const packed = int64Bytes(value.int64);
  const inner = 1 + varintBytes(packed) + packed; // Int64List.value, packed
  return 1 + varintBytes(inner) + inner;
}

function writeFeature(out: Buffer, at: number, value: Value): number {
  if ('bytes' in value) {
    const inner = 1 + varintBytes(value.bytes.length) + value.bytes.length;
    out[at++] = 0x0a; // Feature.bytes_list
    at = writeVarint(out, at, inner);
    out[at++] = 0x0a; // BytesList.value
    at = writeVarint(out, at, value.bytes.length);
    out.set(value.bytes, at);
    return at + value.bytes.length;
  }
  const packed = int64Bytes(value.int64);
  out[at++] = 0x1a; // Feature.int64_list
  at = writeVarint(out, at, 1 + varintBytes(packed) + packed);
  out[at++] = 0x0a; // Int64List.value, packed
  at = writeVarint(out, at, packed);
  return writeInt64(out, at, value.int64);
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
  const order = Object.keys(sorted).map((key) => ({ name: sorted[key], key: Buffer.from(key, 'utf8') }));
  const formats = { jpeg: Buffer.from('jpeg'), png: Buffer.from('png') };
  return (image, file) => {
    const values: Record<Name, Value> = {
      image: { bytes: image.data },
      class: { int64: file.label },
      label: { bytes: Buffer.from(file.className, 'utf8') },
      filename: { bytes: Buffer.from(file.rel, 'utf8') },
      height: { int64: image.height },
      width: { int64: image.width },
      channels: { int64: image.channels },
      format: { bytes: formats[image.format] },
    };
    const entries = order.map(({ name, key }) => {
      const feature = featureBytes(values[name]);
      const entry = 1 + varintBytes(key.length) + key.length + 1 + varintBytes(feature) + feature;
      return { key, value: values[name], feature, entry };
    });
    const featuresBytes = entries.reduce((sum, e) => sum + 1 + varintBytes(e.entry) + e.entry, 0);
    const out = Buffer.allocUnsafe(1 + varintBytes(featuresBytes) + featuresBytes);
    let at = 0;
    out[at++] = 0x0a; // Example.features
    at = writeVarint(out, at, featuresBytes);
    for (const { key, value, feature, entry } of entries) {
      out[at++] = 0x0a; // Features.feature (map entry)
      at = writeVarint(out, at, entry);
      out[at++] = 0x0a; // key
      at = writeVarint(out, at, key.length);
      key.copy(out, at);
      at += key.length;
      out[at++] = 0x12; // value
      at = writeVarint(out, at, feature);
      at = writeFeature(out, at, value);
    }
    return out;
  };
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

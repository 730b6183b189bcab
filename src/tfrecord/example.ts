/**
 * tf.train.Example and tf.train.SequenceExample, encoded and decoded with protobufjs from the
 * schema of tensorflow/core/example/{example,feature}.proto. Int64 and float lists are read packed
 * or unpacked and written packed, as TensorFlow does. Int64 values are bigint (exact to 64 bits).
 */
import { createRequire } from 'node:module';
import type protobuf from 'protobufjs';
import { PipelineError } from '../errors.js';

/**
 * One feature, in the shape `tfrecord_check.py --dump` prints: exactly one of the three lists, or
 * none (`{ empty: true }`: a Feature with no list set, which TFX writes for a missing value; it has
 * no type, and is written back as such).
 */
export type Feature = { bytes: Uint8Array[] } | { int64: bigint[] } | { float: number[] } | { empty: true };
export type Features = Record<string, Feature>;
export type FeatureType = 'bytes' | 'int64' | 'float' | 'empty';
export interface SequenceExample {
  context: Features;
  featureLists: Record<string, Feature[]>;
}
/** A record as written: an Example, or a SequenceExample (one whose feature_lists field is set). */
export type AnyExample = { kind: 'example'; features: Features } | ({ kind: 'sequence' } & SequenceExample);

/**
 * The message types, built at first use: protobufjs is loaded then, not with this module (whose
 * types and `featureType` `pipeline inspect` uses, and which decodes plain records without it:
 * src/tfrecord/example-decode.ts). Loading it cost about 30 ms of start-up.
 */
let messageTypes: { Example: protobuf.Type; SequenceExample: protobuf.Type } | undefined;
function types(): { Example: protobuf.Type; SequenceExample: protobuf.Type } {
  return (messageTypes ??= buildTypes());
}

function buildTypes(): { Example: protobuf.Type; SequenceExample: protobuf.Type } {
  const { Root } = createRequire(import.meta.url)('protobufjs') as typeof protobuf;
  const root = schemaRoot(Root);
  return { Example: root.lookupType('tensorflow.Example'), SequenceExample: root.lookupType('tensorflow.SequenceExample') };
}

// `keyType` (map fields) is missing from protobufjs' IField typing, hence the cast.
const schemaRoot = (Root: typeof protobuf.Root) => Root.fromJSON({
  nested: {
    tensorflow: {
      nested: {
        BytesList: { fields: { value: { rule: 'repeated', type: 'bytes', id: 1 } } },
        FloatList: { fields: { value: { rule: 'repeated', type: 'float', id: 1, options: { packed: true } } } },
        Int64List: { fields: { value: { rule: 'repeated', type: 'int64', id: 1, options: { packed: true } } } },
        Feature: {
          oneofs: { kind: { oneof: ['bytesList', 'floatList', 'int64List'] } },
          fields: {
            bytesList: { type: 'BytesList', id: 1 },
            floatList: { type: 'FloatList', id: 2 },
            int64List: { type: 'Int64List', id: 3 },
          },
        },
        Features: { fields: { feature: { keyType: 'string', type: 'Feature', id: 1 } } },
        FeatureList: { fields: { feature: { rule: 'repeated', type: 'Feature', id: 1 } } },
        FeatureLists: { fields: { featureList: { keyType: 'string', type: 'FeatureList', id: 1 } } },
        Example: { fields: { features: { type: 'Features', id: 1 } } },
        SequenceExample: {
          fields: {
            context: { type: 'Features', id: 1 },
            featureLists: { type: 'FeatureLists', id: 2 },
          },
        },
      },
    },
  },
} as protobuf.INamespace);

interface LongLike { low: number; high: number; unsigned?: boolean }
interface RawFeature {
  bytesList?: { value?: Uint8Array[] };
  floatList?: { value?: number[] };
  int64List?: { value?: (number | LongLike)[] };
}

function toBigInt(v: number | LongLike): bigint {
  if (typeof v === 'number') return BigInt(v);
  return BigInt.asIntN(64, (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0));
}

function fromRawFeature(raw: RawFeature): Feature {
  if (raw.int64List) return { int64: (raw.int64List.value ?? []).map(toBigInt) };
  if (raw.floatList) return { float: Array.from(raw.floatList.value ?? []) };
  if (raw.bytesList) return { bytes: raw.bytesList.value ?? [] };
  return { empty: true };
}

function toRawFeature(feature: Feature): RawFeature {
  if ('int64' in feature) {
    // protobufjs takes {low, high} for 64-bit values; split the bigint exactly.
    return {
      int64List: {
        value: feature.int64.map((v) => {
          const u = BigInt.asUintN(64, BigInt(v));
          return { low: Number(u & 0xffffffffn) | 0, high: Number(u >> 32n) | 0, unsigned: false };
        }),
      },
    };
  }
  if ('float' in feature) return { floatList: { value: feature.float } };
  if ('bytes' in feature) return { bytesList: { value: feature.bytes } };
  return {};
}

function fromRawFeatures(raw: Record<string, RawFeature> | undefined): Features {
  const out: Features = {};
  for (const key of Object.keys(raw ?? {})) out[key] = fromRawFeature(raw![key]);
  return out;
}

function toRawFeatures(features: Features): Record<string, RawFeature> {
  const out: Record<string, RawFeature> = {};
  for (const key of Object.keys(features)) out[key] = toRawFeature(features[key]);
  return out;
}

export function featureType(feature: Feature): FeatureType {
  return 'int64' in feature ? 'int64' : 'float' in feature ? 'float' : 'bytes' in feature ? 'bytes' : 'empty';
}

/** Encodes an Example. Keys are written in sorted order, so equal features give equal bytes. */
export function encodeExample(features: Features): Uint8Array {
  const sorted: Features = {};
  for (const key of Object.keys(features).sort()) sorted[key] = features[key];
  return types().Example.encode({ features: { feature: toRawFeatures(sorted) } }).finish();
}

export function decodeExample(data: Uint8Array): Features {
  try {
    const message = types().Example.decode(data) as unknown as { features?: { feature?: Record<string, RawFeature> } };
    return fromRawFeatures(message.features?.feature);
  } catch (error) {
    throw new PipelineError('EXAMPLE_DECODE', `not a tf.train.Example: ${(error as Error).message}`, { cause: error });
  }
}

export function encodeSequenceExample(example: SequenceExample): Uint8Array {
  const featureList: Record<string, { feature: RawFeature[] }> = {};
  for (const key of Object.keys(example.featureLists).sort()) featureList[key] = { feature: example.featureLists[key].map(toRawFeature) };
  return types().SequenceExample.encode({ context: { feature: toRawFeatures(example.context) }, featureLists: { featureList } }).finish();
}

interface RawSequenceExample {
  context?: { feature?: Record<string, RawFeature> };
  featureLists?: { featureList?: Record<string, { feature?: RawFeature[] }> };
}

function fromRawSequence(m: RawSequenceExample): SequenceExample {
  const featureLists: Record<string, Feature[]> = {};
  for (const [key, list] of Object.entries(m.featureLists?.featureList ?? {})) featureLists[key] = (list.feature ?? []).map(fromRawFeature);
  return { context: fromRawFeatures(m.context?.feature), featureLists };
}

export function decodeSequenceExample(data: Uint8Array): SequenceExample {
  try {
    return fromRawSequence(types().SequenceExample.decode(data) as unknown as RawSequenceExample);
  } catch (error) {
    throw new PipelineError('EXAMPLE_DECODE', `not a tf.train.SequenceExample: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * An Example or a SequenceExample, told apart by the bytes: an Example's field 1 is the same
 * message as a SequenceExample's context, and only a SequenceExample has field 2 (feature_lists).
 * (A SequenceExample without feature_lists is byte for byte an Example, and read as one.)
 */
export function decodeAnyExample(data: Uint8Array): AnyExample {
  let m: RawSequenceExample;
  try {
    m = types().SequenceExample.decode(data) as unknown as RawSequenceExample;
  } catch (error) {
    throw new PipelineError('EXAMPLE_DECODE', `not a tf.train.Example: ${(error as Error).message}`, { cause: error });
  }
  if (m.featureLists === undefined || m.featureLists === null) return { kind: 'example', features: fromRawFeatures(m.context?.feature) };
  return { kind: 'sequence', ...fromRawSequence(m) };
}

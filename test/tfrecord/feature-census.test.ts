/** FeatureCensus: type counts per key, conflicts (empty aside), SequenceExample lists, the wire-scan entry. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FeatureCensus, usualType } from '../../src/tfrecord/feature-census.js';

const at = (record: number) => ({ file: 'f.tfrecord', offset: record * 100, record });

test('counts per key and type; a conflict points at the first record of a minority type; empty is never a conflict', () => {
  const census = new FeatureCensus();
  for (let i = 0; i < 10; i++) {
    census.add({ kind: 'example', features: { a: i === 6 || i === 8 ? { float: [1] } : { int64: [1n] }, b: i % 2 ? { empty: true } : { bytes: [] } } }, at(i));
  }
  census.addExampleTypes([['a', 'bytes'], ['b', 'bytes']], at(10));
  assert.deepEqual(census.types, { a: { int64: 8, float: 2, bytes: 1 }, b: { bytes: 6, empty: 5 } });
  assert.deepEqual(census.usualTypes(), { a: 'int64', b: 'bytes' });
  const conflicts = census.conflicts();
  assert.equal(conflicts.length, 1);
  assert.equal(conflicts[0]!.key, 'a');
  assert.deepEqual(conflicts[0]!.first, at(6));
  assert.equal(conflicts[0]!.message, 'feature "a" has 3 types: int64 in 8 records, float in 2, bytes in 1 (first not int64: record 6 of f.tfrecord)');
  assert.equal(usualType({ empty: 3 }), 'empty');
});

test('SequenceExamples: context in the types, lists with frame types and lengths, a list whose frames change type is a conflict', () => {
  const census = new FeatureCensus();
  census.add({ kind: 'sequence', context: { id: { bytes: [] } }, featureLists: { f: [{ int64: [1n] }, { int64: [2n] }] } }, at(0));
  census.add({ kind: 'sequence', context: { id: { bytes: [] } }, featureLists: { f: [{ int64: [1n] }, { float: [2] }, { int64: [3n] }, { int64: [3n] }] } }, at(1));
  census.add({ kind: 'example', features: { id: { bytes: [] } } }, at(2));
  assert.equal(census.sequenceExamples, 2);
  assert.equal(census.examples, 1);
  assert.deepEqual(census.types, { id: { bytes: 3 } });
  assert.deepEqual(census.featureLists, { f: { types: { int64: 5, float: 1 }, records: 2, frames: { min: 2, max: 4 } } });
  assert.deepEqual(census.conflicts().map((c) => [c.key, c.first.record]), [['feature_lists/f', 1]]);
});

test('a feature keyed __proto__ is left to the full decode by the wire scan: Object.prototype is never written', async () => {
  const { scanExampleFeatureTypes } = await import('../../src/tfrecord/example-scan.js');
  const key = Buffer.from('__proto__');
  // Feature with a BytesList of one empty value; map entry {key, value}; Features; Example.
  const feature = Buffer.from([0x0a, 0x02, 0x0a, 0x00]);
  const entry = Buffer.concat([Buffer.from([0x0a, key.length]), key, Buffer.from([0x12, feature.length]), feature]);
  const features = Buffer.concat([Buffer.from([0x0a, entry.length]), entry]);
  const example = Buffer.concat([Buffer.from([0x0a, features.length]), features]);
  assert.equal(scanExampleFeatureTypes(example), undefined);
  // The same record under an ordinary key is scanned (the bytes above are a valid Example).
  const plain = Buffer.from(example);
  plain.write('__proto_x', example.indexOf(key));
  assert.deepEqual(scanExampleFeatureTypes(plain)?.keys.slice(0, 1), ['__proto_x']);
  assert.equal(({} as Record<string, unknown>).bytes, undefined);
});

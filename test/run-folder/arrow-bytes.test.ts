/**
 * src/run-folder/tables.ts writes Arrow files with apache-arrow's one-file build (loaded in a
 * tenth of the time): its bytes must be those of the package's ES build, the one readers import.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Float64, Int32, Int64, Schema, Table, tableToIPC, Utf8, vectorFromArray, type Vector } from 'apache-arrow';
import { toArrow } from '../../src/run-folder/tables.js';

test('toArrow writes the same bytes as apache-arrow\'s ES build, with and without schema metadata', async () => {
  const rows = [{ s: 'a', i: 1, n: 2 ** 40 + 3, f: 1.5 }, { s: null, i: null, n: NaN, f: null }, { s: 'zz', i: -7, n: 7, f: NaN }];
  const columns = { s: 'string', i: 'int', n: 'int64', f: 'float' } as const;
  const vectors: Record<string, Vector> = {
    s: vectorFromArray(['a', null, 'zz'], new Utf8()),
    i: vectorFromArray([1, null, -7], new Int32()),
    n: vectorFromArray([2n ** 40n + 3n, null, 7n], new Int64()),
    f: vectorFromArray([1.5, null, NaN], new Float64()),
  };
  const table = new Table(vectors);
  assert.deepEqual(Buffer.from(await toArrow(rows, columns)), Buffer.from(tableToIPC(table, 'file')));
  const metadata = { interrupted: 'true' };
  const withMetadata = new Table(new Schema(table.schema.fields, new Map(Object.entries(metadata))), table.batches);
  assert.deepEqual(Buffer.from(await toArrow(rows, columns, metadata)), Buffer.from(tableToIPC(withMetadata, 'file')));
});

/** Image lists are read by csv-parse (src/dataset/image-list.ts): quoting, line numbers, line endings, broken quotes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDelimited } from '../../src/dataset/image-list.js';
import { PipelineError } from '../../src/errors.js';

test('quoted fields keep commas, quotes and newlines; each row knows the line it starts on; blank lines are skipped', () => {
  const text = '\n\npath,label\r\n"a,1.jpg","say ""cat"""\n\n  \n"b\n2.jpg" , dog \rc.jpg,bird';
  assert.deepEqual(parseDelimited(text, ',', 'list.csv'), [
    { row: ['path', 'label'], line: 3 },
    { row: ['a,1.jpg', 'say "cat"'], line: 4 },
    { row: ['b\n2.jpg', 'dog'], line: 7 },
    { row: ['c.jpg', 'bird'], line: 9 },
  ]);
});

test('TSV lists split on tabs', () => {
  assert.deepEqual(parseDelimited('a.jpg\tcat\nb.jpg\tdog\n', '\t', 'list.tsv').map((r) => r.row), [['a.jpg', 'cat'], ['b.jpg', 'dog']]);
});

test('a quote never closed is a data error naming the list', () => {
  assert.throws(() => parseDelimited('a.jpg,cat\n"b.jpg,dog\n', ',', 'list.csv'), (error: unknown) => error instanceof PipelineError && error.code === 'DATA' && /list\.csv: not a valid CSV list/.test(error.message));
});

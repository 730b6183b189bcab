import assert from 'node:assert/strict';
import { cp, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { convert } from '../../src/convert/convert.js';
import { decodeExample } from '../../src/tfrecord/example.js';
import { readRecordsFromFiles } from '../../src/tfrecord/reader.js';
import { ROOT, runCli, withTempDir } from '../helpers.js';

const PHOTOS = join(ROOT, 'fixtures', 'photos');

/** Every record's `label` is labels.txt's line `class`; returns the labels and the record count. */
async function checkLabels(out: string): Promise<{ labels: string[]; records: number }> {
  const text = await readFile(join(out, 'labels.txt'), 'utf8');
  assert.ok(text.endsWith('\n'));
  const labels = text.slice(0, -1).split('\n');
  const shards = (await readdir(out)).filter((n) => n.endsWith('.tfrecord')).sort().map((n) => join(out, n));
  let records = 0;
  for await (const record of readRecordsFromFiles(shards)) {
    const f = decodeExample(record.data);
    const cls = Number((f.class as { int64: bigint[] }).int64[0]);
    const label = Buffer.from((f.label as { bytes: Uint8Array[] }).bytes[0]).toString();
    assert.equal(label, labels[cls], `record ${records}: class ${cls}`);
    records++;
  }
  return { labels, records };
}

test('an output folder inside the input folder, run twice: same classes, same labels, nothing of the output read', async () => {
  await withTempDir(async (dir) => {
    // As a class folder ("out" sorts between "landscapes" and "textures") and inside a class folder.
    for (const [i, inside] of [['out'], ['flowers', 'shards']].entries()) {
      const input = join(dir, `in-${i}`);
      await cp(PHOTOS, input, { recursive: true });
      const out = join(input, ...inside);
      const first = await convert({ input, out, partitions: 2, size: '32x32' });
      const second = await convert({ input, out, partitions: 2, size: '32x32', overwrite: true });
      assert.equal(second.records, 100);
      assert.equal(second.skipped, 0);
      assert.equal(first.records, second.records);
      const { labels, records } = await checkLabels(out);
      assert.deepEqual(labels, ['flowers', 'insects', 'landscapes', 'textures', 'water']);
      assert.equal(records, 100);
    }
  });
});

test('class folders whose names hold a newline, tab or CR are exit 2 naming the folder', async () => {
  for (const bad of ['two\nlines', 'tab\there', 'cr\rhere']) {
    await withTempDir(async (dir) => {
      const input = join(dir, 'in');
      await cp(PHOTOS, input, { recursive: true });
      await mkdir(join(input, bad));
      await cp(join(PHOTOS, 'water', 'water-000.jpg'), join(input, bad, 'x.jpg'));
      const result = await runCli(['convert', input, '--out', join(dir, 'out'), '--size', '32x32']);
      assert.equal(result.code, 2, result.stderr);
      assert.ok(result.stderr.includes(JSON.stringify(bad)), result.stderr);
      assert.match(result.stderr, /control character/);
    });
  }
});

test('non-ASCII and space-holding class names: one line each in labels.txt, every record matches it', async () => {
  await withTempDir(async (dir) => {
    const input = join(dir, 'in');
    for (const cls of ['b class', 'ä', 'a,comma']) {
      await mkdir(join(input, cls), { recursive: true });
      await cp(join(PHOTOS, 'water', 'water-000.jpg'), join(input, cls, 'x.jpg'));
    }
    const out = join(dir, 'out');
    await convert({ input, out, size: '32x32' });
    const { labels, records } = await checkLabels(out);
    assert.deepEqual(labels, ['a,comma', 'b class', 'ä']);
    assert.equal(records, 3);
  });
});

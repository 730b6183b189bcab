import assert from 'node:assert/strict';
import { cp, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { convert } from '../../src/convert/convert.js';
import { speedtest } from '../../src/speedtest/speedtest.js';
import { ROOT, runCli, withTempDir } from '../helpers.js';

const base = mkdtempSync(join(tmpdir(), 'pipeline-damaged-'));
const RUN = join(base, 'run');

before(async () => {
  await convert({ input: join(ROOT, 'fixtures', 'photos'), out: join(base, 'shards'), partitions: 2, size: '32x32' });
  await speedtest({ tfrecords: join(base, 'shards'), out: RUN, batchSizes: [4, 8, 16], batchNumbers: [2], repetitions: [1], warmup: 0, workers: 1 });
});

/** One line on stderr, no stack. */
function oneLine(stderr: string): void {
  assert.equal(stderr.trim().split('\n').length, 1, stderr);
  assert.doesNotMatch(stderr, /internal error|\n\s+at /);
}

test('a corrupt run.json or a truncated / emptied measurements.arrow: exit 3 naming the file', async () => {
  await withTempDir(async (dir) => {
    const cases: [string, (run: string) => Promise<void>, RegExp][] = [
      ['run.json', (run) => writeFile(join(run, 'run.json'), '{"tool": {"name": "pipeline"'), /run\.json: not valid JSON/],
      ['measurements.arrow', async (run) => truncate(join(run, 'measurements.arrow'), Math.floor((await readFile(join(run, 'measurements.arrow'))).length / 2)), /measurements\.arrow: not a complete Arrow IPC file/],
      ['measurements.arrow', (run) => truncate(join(run, 'measurements.arrow'), 0), /measurements\.arrow: not a complete Arrow IPC file \(0 bytes/],
      ['resources.arrow', (run) => truncate(join(run, 'resources.arrow'), 100), /resources\.arrow: not a complete Arrow IPC file/],
    ];
    for (const [i, [name, damage, message]] of cases.entries()) {
      const run = join(dir, `run-${i}`);
      await cp(RUN, run, { recursive: true });
      await damage(run);
      const result = await runCli(['report', run]);
      assert.equal(result.code, 3, `${name}: ${result.stderr}`);
      assert.match(result.stderr, message);
      oneLine(result.stderr);
    }
  });
});

test('report --out onto a file, or empty: exit 2', async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    const onto = await runCli(['report', RUN, '--out', file]);
    assert.equal(onto.code, 2, onto.stderr);
    assert.match(onto.stderr, /--out: expected a folder for the report, got a file/);
    oneLine(onto.stderr);
    const below = await runCli(['report', RUN, '--out', join(file, 'sub')]);
    assert.equal(below.code, 2, below.stderr);
    const empty = await runCli(['report', RUN, '--out', '']);
    assert.equal(empty.code, 2, empty.stderr);
  });
});

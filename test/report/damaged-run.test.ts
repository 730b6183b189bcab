import assert from 'node:assert/strict';
import { chmod, cp, mkdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
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
      // A run always has tasks.csv and problems.csv: one missing is a damaged folder, not an empty table.
      ['tasks.csv', (run) => rm(join(run, 'tasks.csv')), /tasks\.csv: missing; the run folder is damaged/],
      ['problems.csv', (run) => rm(join(run, 'problems.csv')), /problems\.csv: missing; the run folder is damaged/],
      ['tasks.csv', (run) => writeFile(join(run, 'tasks.csv'), 'task,worker\n0,0\n'), /tasks\.csv: expected the column\(s\) dataset, cache, batch_size/],
      ['tasks.csv', async (run) => writeFile(join(run, 'tasks.csv'), (await readFile(join(run, 'tasks.csv'), 'utf8')).replace(/\n0,/, '\nzero,')), /tasks\.csv: row 2, column task: expected a number, got "zero"/],
      ['tasks.csv', (run) => writeFile(join(run, 'tasks.csv'), ''), /tasks\.csv: empty \(no header line\)/],
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

/** The CLI as the unprivileged user `nobody` (root reads any file, so EACCES needs another user). */
function runCliAsNobody(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, join(ROOT, 'bin', 'pipeline.js'), ...args], { cwd: '/' });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolvePromise({ code, stderr }));
  });
}

test('a run file this user may not read: exit 3 saying permission denied, naming it (not "missing")', { skip: process.getuid?.() !== 0 && 'needs root to switch to the user nobody' }, async () => {
  await withTempDir(async (dir) => {
    const run = join(dir, 'run');
    await cp(RUN, run, { recursive: true });
    // Everything readable to nobody but tasks.csv; the report goes to a folder nobody may write to.
    await chmod(dir, 0o755);
    await chmod(run, 0o755);
    await chmod(join(run, 'tasks.csv'), 0o600);
    const out = join(dir, 'out');
    await mkdir(out);
    await chmod(out, 0o777);
    const result = await runCliAsNobody(['report', run, '--out', out]);
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /tasks\.csv: permission denied/);
    oneLine(result.stderr);
  });
});

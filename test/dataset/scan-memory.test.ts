/**
 * A listed file costs a bounded amount of memory: a million-image convert keeps its whole list in
 * the driver (goal: the command under 1 GiB). Stamps and relative paths used to be built by
 * template strings, trees of string pieces that kept about 500 bytes of heap per file alive.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { linkSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, withTempDir } from '../helpers.js';

const exec = promisify(execFile);
const FILES = 20_000;

test('the scan keeps under 350 bytes of heap per listed file', async () => {
  await withTempDir(async (dir) => {
    const photos = join(ROOT, 'fixtures', 'photos');
    const cls = readdirSync(photos, { withFileTypes: true }).find((d) => d.isDirectory())!.name;
    const source = join(photos, cls, readdirSync(join(photos, cls))[0]);
    const input = join(dir, 'in');
    // Hard links: twenty thousand directory entries without their bytes.
    for (let c = 0; c < 4; c++) mkdirSync(join(input, `class-${c}`), { recursive: true });
    for (let i = 0; i < FILES; i++) linkSync(source, join(input, `class-${i % 4}`, `image-${String(i).padStart(6, '0')}.jpg`));
    const script = `
      const { scanDataset } = await import(${JSON.stringify(join(ROOT, 'dist', 'src', 'dataset', 'scan.js'))});
      const heap = () => { globalThis.gc(); globalThis.gc(); return process.memoryUsage().heapUsed; };
      const before = heap();
      const dataset = await scanDataset(${JSON.stringify(input)});
      const after = heap();
      console.log(JSON.stringify({ files: dataset.files.length, bytesPerFile: (after - before) / dataset.files.length }));`;
    const { stdout } = await exec(process.execPath, ['--expose-gc', '--input-type=module', '-e', script]);
    const { files, bytesPerFile } = JSON.parse(stdout);
    assert.equal(files, FILES);
    assert.ok(bytesPerFile < 350, `${bytesPerFile.toFixed(0)} bytes of heap per listed file`);
  });
});

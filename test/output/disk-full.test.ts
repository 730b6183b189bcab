import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, runCli, withTempDir } from '../helpers.js';

const PHOTOS = join(ROOT, 'fixtures', 'photos');
const EXAMPLE = join(ROOT, 'reports', 'example');

/** Every file below `dir` with its size. */
async function files(dir: string): Promise<[string, number][]> {
  const out: [string, number][] = [];
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    const info = await stat(path);
    if (info.isDirectory()) out.push(...(await files(path)));
    else out.push([path, info.size]);
  }
  return out;
}

test('a full disk leaves no empty lock, temporary or compare.md file (exit 3, one line)', async (t) => {
  await withTempDir(async (dir) => {
    const full = join(dir, 'full');
    await mkdir(full);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', full], { stdio: 'ignore' });
    } catch {
      t.skip('cannot mount a small tmpfs here (needs root)');
      return;
    }
    try {
      await writeFile(join(full, 'filler'), Buffer.alloc(1 << 20)).catch(() => undefined);
      for (const args of [
        ['compare', EXAMPLE, EXAMPLE, '--out', join(full, 'cmp')],
        ['convert', PHOTOS, '--out', join(full, 'conv')],
        ['speedtest', '--images', PHOTOS, '--out', join(full, 'st'), '--batch-sizes', '4', '--batch-numbers', '1'],
      ]) {
        const r = await runCli(args);
        assert.equal(r.code, 3, `${args[0]}: ${r.stderr}`);
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
        assert.match(r.stderr, /no space left|ENOSPC/i);
      }
      const left = (await files(full)).filter(([path]) => !path.endsWith('filler'));
      assert.deepEqual(left, [], 'nothing half-written is left');
    } finally {
      execFileSync('umount', [full]);
    }
  });
});

test('compare --out onto a file or below one is a usage error (exit 2), not a stack trace', async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    for (const out of [file, join(file, 'below')]) {
      const r = await runCli(['compare', EXAMPLE, EXAMPLE, '--out', out]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^pipeline: --out: expected a folder/);
    }
  });
});

/**
 * Inputs that used to give a silently wrong dataset: class names with line separators, integer
 * label lists with one id out of range, list lines outside the list's folder, and an earlier
 * convert output kept inside the input folder.
 */
import assert from 'node:assert/strict';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { convert } from '../../src/convert/convert.js';
import { ROOT, runCli, withTempDir } from '../helpers.js';

const PHOTOS = join(ROOT, 'fixtures', 'photos');
const PHOTO = join(PHOTOS, 'water', 'water-000.jpg');

test('class names with U+0085, U+2028, U+2029 or any C1 / C0 control character: exit 2 (folders), exit 3 (list labels)', async () => {
  for (const bad of ['next\u0085line', 'line\u2028sep', 'para\u2029sep', 'c1\u009bcsi', 'vt\u000bhere', 'fs\u001chere']) {
    await withTempDir(async (dir) => {
      const input = join(dir, 'in');
      await mkdir(join(input, bad), { recursive: true });
      await mkdir(join(input, 'ok'));
      await cp(PHOTO, join(input, bad, 'x.jpg'));
      await cp(PHOTO, join(input, 'ok', 'x.jpg'));
      const folders = await runCli(['convert', input, '--out', join(dir, 'out'), '--size', '16x16']);
      assert.equal(folders.code, 2, `${JSON.stringify(bad)}: ${folders.stderr}`);
      assert.match(folders.stderr, /control character or line separator/);

      await writeFile(join(input, 'list.csv'), `path,label\nok/x.jpg,ok\n"${bad}/x.jpg","${bad}"\n`);
      const list = await runCli(['convert', join(input, 'list.csv'), '--out', join(dir, 'out2'), '--size', '16x16']);
      assert.equal(list.code, 3, `${JSON.stringify(bad)}: ${list.stderr}`);
      assert.match(list.stderr, /a label holding a control character, a line separator or nothing/);
    });
  }
});

test('a list of integer labels with one -1 or one huge id: exit 3 naming the line, never class-name mode', async () => {
  for (const bad of ['-1', '99999999999999999999', '100001']) {
    await withTempDir(async (dir) => {
      await mkdir(join(dir, 'imgs'));
      for (const n of [0, 1, 2]) await cp(PHOTO, join(dir, 'imgs', `${n}.jpg`));
      await writeFile(join(dir, 'list.csv'), `path,label\nimgs/0.jpg,0\nimgs/1.jpg,1\nimgs/2.jpg,${bad}\n`);
      const result = await runCli(['convert', join(dir, 'list.csv'), '--out', join(dir, 'out'), '--size', '16x16']);
      assert.equal(result.code, 3, `${bad}: ${result.stderr}`);
      assert.match(result.stderr, new RegExp(`list\\.csv: line 4: label ${bad}: expected a class id from 0 to 100000`));
    });
  }
  await withTempDir(async (dir) => {
    await cp(PHOTO, join(dir, 'a.jpg'));
    await writeFile(join(dir, 'list.jsonl'), '{"path": "a.jpg", "label": -1}\n');
    const result = await runCli(['convert', join(dir, 'list.jsonl'), '--out', join(dir, 'out'), '--size', '16x16']);
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /line 1: label -1: expected a class id/);
  });
});

test('list lines naming files outside the list\'s folder: exit 2 naming the line, read with --allow-outside', async () => {
  await withTempDir(async (dir) => {
    const lists = join(dir, 'lists');
    await mkdir(join(lists, 'imgs'), { recursive: true });
    await cp(PHOTO, join(lists, 'imgs', 'in.jpg'));
    await cp(PHOTO, join(dir, 'secret.jpg'));
    for (const outside of ['../secret.jpg', join(dir, 'secret.jpg'), 'imgs/../../secret.jpg']) {
      await writeFile(join(lists, 'list.csv'), `path,label\nimgs/in.jpg,a\n${outside},b\n`);
      const refused = await runCli(['convert', join(lists, 'list.csv'), '--out', join(dir, 'out'), '--size', '16x16']);
      assert.equal(refused.code, 2, `${outside}: ${refused.stderr}`);
      assert.match(refused.stderr, /line 3: .* is outside the list's folder .*; add --allow-outside/);
    }
    const allowed = await runCli(['convert', join(lists, 'list.csv'), '--out', join(dir, 'out'), '--size', '16x16', '--allow-outside', '--json']);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.equal(JSON.parse(allowed.stdout).records, 2);
  });
});

test('an earlier convert output inside the input folder is not a class: left out with a note, class ids unchanged', async () => {
  await withTempDir(async (dir) => {
    const input = join(dir, 'in');
    await cp(PHOTOS, input, { recursive: true });
    // "a-old" sorts before every class: as a class it would shift every id by one.
    await convert({ input: PHOTOS, out: join(input, 'a-old'), size: '16x16' });
    await convert({ input: PHOTOS, out: join(input, 'b-splits'), size: '16x16', split: 'train=0.5,val=0.5' });
    const result = await convert({ input, out: join(dir, 'out'), size: '16x16' });
    assert.equal(result.records, 100);
    assert.equal(result.skipped, 0);
    assert.equal(await readFile(join(dir, 'out', 'labels.txt'), 'utf8'), 'flowers\ninsects\nlandscapes\ntextures\nwater\n');
    assert.ok(result.warnings.some((w) => /a-old holds an earlier convert output \(manifest\.json\): not a class, left out/.test(w)), result.warnings.join('\n'));
    assert.ok(result.warnings.some((w) => /b-splits holds an earlier convert output/.test(w)), result.warnings.join('\n'));
  });
});

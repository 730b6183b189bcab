/**
 * convert from a CSV / JSON Lines list of path,label, with --split: the per-split counts the rule
 * gives (checked against an independent Python computation of it), stable when an image is added,
 * TFDS-style names and a manifest per split; --image-key / --label-key write other key names.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { convert } from '../../src/convert/convert.js';
import { decodeExample } from '../../src/tfrecord/example.js';
import { readRecords } from '../../src/tfrecord/reader.js';
import { CHECKER, PYTHON, ROOT, runCli, withTempDir } from '../helpers.js';

const PHOTOS = join(ROOT, 'fixtures', 'photos');

/** The split rule, written again in Python: first 48 bits of SHA-256(path) / 2^48 against cumulative fractions. */
function pythonSplits(csvPath: string): Record<string, Record<string, number>> {
  const script = `
import csv, hashlib, json, sys
out = {}
for row in csv.DictReader(open(sys.argv[1])):
    u = int.from_bytes(hashlib.sha256(row['path'].encode()).digest()[:6], 'big') / 2**48
    split = 'train' if u < 0.8 else 'val' if u < 0.8 + 0.1 else 'test'
    out.setdefault(split, {}).setdefault(row['label'], 0)
    out[split][row['label']] += 1
print(json.dumps(out))`;
  return JSON.parse(execFileSync(PYTHON, ['-c', script, csvPath], { encoding: 'utf8' }));
}

async function makeList(dir: string, extra: string[] = []): Promise<string> {
  await cp(PHOTOS, join(dir, 'imgs'), { recursive: true });
  const rows = ['path,label'];
  for (const cls of (await readdir(PHOTOS, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    for (const f of (await readdir(join(PHOTOS, cls))).sort()) rows.push(`imgs/${cls}/${f},${cls}`);
  }
  const path = join(dir, 'photos.csv');
  await writeFile(path, [...rows, ...extra].join('\n') + '\n');
  return path;
}

/** filename -> class name, for every record of a split folder. */
async function contents(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of (await readdir(dir)).filter((n) => /\.tfrecord-\d{5}-of-\d{5}$/.test(n))) {
    for await (const r of readRecords(join(dir, f))) {
      const ex = decodeExample(r.data) as Record<string, { bytes: Uint8Array[] }>;
      out.set(Buffer.from(ex.filename.bytes[0]).toString(), Buffer.from(ex.label.bytes[0]).toString());
    }
  }
  return out;
}

test('a CSV list with --split: per-split and per-class counts as the rule gives, TFDS names, a manifest per split; stable when an image is added', async () => {
  await withTempDir(async (dir) => {
    const list = await makeList(dir);
    const expected = pythonSplits(list);
    const result = await convert({ input: list, out: join(dir, 'out'), split: [['train', 0.8], ['val', 0.1], ['test', 0.1]], size: '48x48', workers: 1 });
    assert.equal(result.records, 100);
    const before = new Map<string, Map<string, string>>();
    for (const split of ['train', 'val', 'test']) {
      const folder = join(dir, 'out', split);
      const names = (await readdir(folder)).sort();
      assert.ok(names.includes(`photos-${split}.tfrecord-00000-of-00001`) && names.includes(`photos-${split}.tfrecord-00000-of-00001.idx`), names.join(' '));
      const manifest = JSON.parse(await readFile(join(folder, 'manifest.json'), 'utf8'));
      assert.equal(manifest.totals.records, Object.values(expected[split]).reduce((a, b) => a + b, 0));
      assert.deepEqual(manifest.classes, ['flowers', 'insects', 'landscapes', 'textures', 'water'], 'every split has every class id');
      const got = await contents(folder);
      const perClass: Record<string, number> = {};
      for (const cls of got.values()) perClass[cls] = (perClass[cls] ?? 0) + 1;
      assert.deepEqual(perClass, expected[split], split);
      before.set(split, got);
      assert.equal(result.splits![split].records, got.size);
    }
    // The speed test and inspect read one split of it.
    const inspect = await runCli(['inspect', join(dir, 'out'), '--split', 'val', '--json']);
    assert.equal(JSON.parse(inspect.stdout).records, before.get('val')!.size);
    const noSplit = await runCli(['speedtest', '--tfrecords', join(dir, 'out'), '--out', join(dir, 'run')]);
    assert.equal(noSplit.code, 2);
    assert.match(noSplit.stderr, /one folder per split \(test, train, val\): choose one with --split/);

    // One more image: no other image changes split.
    await cp(join(PHOTOS, 'water', 'water-003.jpg'), join(dir, 'imgs', 'water', 'zz-new.jpg'));
    const bigger = await makeListAgain(dir, list, 'imgs/water/zz-new.jpg,water');
    await convert({ input: bigger, out: join(dir, 'out2'), split: [['train', 0.8], ['val', 0.1], ['test', 0.1]], size: '48x48', workers: 1 });
    let added = 0;
    for (const split of ['train', 'val', 'test']) {
      const after = await contents(join(dir, 'out2', split));
      for (const name of before.get(split)!.keys()) assert.ok(after.has(name), `${name} stayed in ${split}`);
      added += after.size - before.get(split)!.size;
    }
    assert.equal(added, 1);
  });
});

async function makeListAgain(dir: string, list: string, line: string): Promise<string> {
  const path = join(dir, 'photos2.csv');
  await writeFile(path, (await readFile(list, 'utf8')) + line + '\n');
  return path;
}

test('a JSON Lines list with integer labels and a missing file; TF-slim keys that detection and the checker read', async () => {
  await withTempDir(async (dir) => {
    await cp(PHOTOS, join(dir, 'imgs'), { recursive: true });
    const lines = ['{"path": "imgs/flowers/flowers-000.jpg", "label": 3}', '{"file": "imgs/water/water-001.jpg", "class": 0}', '', '{"path": "imgs/gone.jpg", "label": 1}'];
    await writeFile(join(dir, 'list.jsonl'), lines.join('\n'));
    const out = join(dir, 'out');
    const r = await runCli(['convert', join(dir, 'list.jsonl'), '--out', out, '--image-key', 'image/encoded', '--label-key', 'image/class/label', '--size', '32x32', '--json', '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).records, 2);
    assert.equal(await readFile(join(out, 'labels.txt'), 'utf8'), '0\n1\n2\n3\n', 'ids kept as given');
    assert.match(await readFile(join(out, 'skipped.csv'), 'utf8'), /imgs\/gone\.jpg,missing \(listed on line 4\)/);
    const shard = join(out, 'part-00000-of-00001.tfrecord');
    const checked = JSON.parse(execFileSync(PYTHON, [CHECKER, 'check', shard, '--dump'], { encoding: 'utf8' }));
    assert.equal(checked.features['image/encoded'], 'bytes');
    assert.equal(checked.features['image/class/label'], 'int64');
    assert.deepEqual(checked.examples.map((e: any) => Number(e['image/class/label'].int64[0])).sort(), [0, 3]);
    const inspect = JSON.parse((await runCli(['inspect', out, '--json'])).stdout);
    assert.deepEqual([inspect.detected.image, inspect.detected.label], [{ key: 'image/encoded', how: 'well-known name' }, { key: 'image/class/label', how: 'well-known name' }]);
  });
});

test('bad lists and options: one clear line, exit 2 or 3', async () => {
  await withTempDir(async (dir) => {
    await writeFile(join(dir, 'bad.jsonl'), '{"path": "a.jpg", "label": "x"}\nnot json\n');
    await writeFile(join(dir, 'notes.txt'), 'hello\n');
    await writeFile(join(dir, 'short.csv'), 'a.jpg\n');
    const cases: [string[], number, RegExp][] = [
      [['convert', join(dir, 'bad.jsonl'), '--out', join(dir, 'o1')], 3, /bad\.jsonl: line 2: expected a JSON object/],
      [['convert', join(dir, 'short.csv'), '--out', join(dir, 'o2')], 3, /short\.csv: line 1: expected path,label/],
      [['convert', join(dir, 'notes.txt'), '--out', join(dir, 'o3')], 2, /expected a folder with one sub-folder per class, or an image list/],
      [['convert', PHOTOS, '--out', join(dir, 'o4'), '--split', 'train=0.8,val=0.1'], 2, /--split: expected fractions adding up to 1 \(these add up to 0\.9\)/],
      [['convert', PHOTOS, '--out', join(dir, 'o5'), '--split', 'train'], 2, /--split: expected name=fraction pairs/],
      [['convert', PHOTOS, '--out', join(dir, 'o6'), '--image-key', 'filename'], 2, /--image-key: expected a feature name other than/],
    ];
    for (const [args, code, message] of cases) {
      const r = await runCli([...args, '--quiet']);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
  });
});

test('--split --overwrite: a split that now gets no images loses its old folder (no image in two splits)', async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, 'sp');
    await convert({ input: PHOTOS, out, split: 'train=0.5,val=0.5', size: '32x32' });
    assert.deepEqual((await readdir(out)).sort(), ['train', 'val']);
    const again = await convert({ input: PHOTOS, out, split: 'train=0.999,val=0.001', size: '32x32', overwrite: true });
    assert.equal(again.records, 100);
    assert.deepEqual(await readdir(out), ['train'], 'the old val split is gone');
  });
});

test('--split --strict: every split is written, then exit 3 naming each skipped.csv', async () => {
  await withTempDir(async (dir) => {
    const input = join(dir, 'in');
    await cp(PHOTOS, input, { recursive: true });
    await writeFile(join(input, 'flowers', 'zz-bad.jpg'), 'not an image');
    const out = join(dir, 'sp');
    const run = await runCli(['convert', input, '--out', out, '--split', 'train=0.5,val=0.5', '--size', '32x32', '--strict', '--quiet']);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /--strict: 1 input\(s\) skipped, listed in .*skipped\.csv/);
    for (const split of ['train', 'val']) assert.ok((await readdir(join(out, split))).includes('manifest.json'), `${split} written`);
  });
});

test('a CSV list whose header has other column names (file_path,species) never becomes a class', async () => {
  await withTempDir(async (dir) => {
    const data = join(dir, 'data');
    await cp(PHOTOS, data, { recursive: true });
    const rows = ['file_path,species'];
    for (const cls of ['flowers', 'insects']) for (const f of (await readdir(join(data, cls))).sort().slice(0, 3)) rows.push(`${cls}/${f},${cls}`);
    await writeFile(join(data, 'list.csv'), rows.join('\n') + '\n');
    const result = await convert({ input: join(data, 'list.csv'), out: join(dir, 'out'), size: '32x32' });
    assert.equal(result.records, 6);
    assert.equal(result.skipped, 0);
    assert.equal(await readFile(join(dir, 'out', 'labels.txt'), 'utf8'), 'flowers\ninsects\n');
  });
});

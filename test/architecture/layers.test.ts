/**
 * The layers of src/ (docs/DESIGN.md, "Layers"): a module imports only from its own layer or the
 * ones below it. Read from the TypeScript sources, so a new upward import fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ROOT } from '../helpers.js';

/** Bottom to top; a folder of src/ (or a file, for the two that sit apart from their folder). */
export const LAYERS: readonly (readonly string[])[] = [
  ['errors.ts', 'json.ts', 'version.ts', 'async', 'format', 'stats', 'charts', 'options'],
  ['output'],
  ['run-folder'],
  ['storage', 'image', 'tfrecord'],
  ['dataset', 'monitor', 'hosts', 'pool', 'tasks/names.ts', 'cluster', 'scaling'],
  ['convert', 'speedtest', 'inspect', 'report', 'compare', 'recommend'],
  ['pipeline-file', 'serve', 'tasks/worker.ts'],
  ['cli', 'index.ts'],
];

/**
 * Imports allowed upward, each with its reason: options checks an option's value with its domain's
 * own parser (pure functions that import only errors.ts), so the value is validated once, at the boundary.
 */
const ALLOWED = new Set(['options/convert.ts -> dataset/split.ts', 'options/hosts.ts -> hosts/alarms.ts']);

const SRC = join(ROOT, 'src');

function layerOf(file: string): number {
  const rel = relative(SRC, file);
  const index = LAYERS.findIndex((names) => names.some((n) => rel === n || rel.startsWith(n + '/')));
  assert.notEqual(index, -1, `src/${rel} is in no layer: add its folder to LAYERS and to docs/DESIGN.md`);
  return index;
}

function* sources(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) yield* sources(join(dir, e.name));
    else if (e.name.endsWith('.ts')) yield join(dir, e.name);
  }
}

test('no module of src/ imports from a layer above its own', () => {
  const upward: string[] = [];
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)\.js'/g)) {
      const target = resolve(dirname(file), m[1] + '.ts');
      const edge = `${relative(SRC, file)} -> ${relative(SRC, target)}`;
      if (layerOf(target) > layerOf(file) && !ALLOWED.has(edge)) upward.push(edge);
    }
  }
  assert.deepEqual(upward, []);
});

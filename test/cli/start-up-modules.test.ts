/**
 * `pipeline inspect` loads what inspecting needs and nothing else: not the other commands' options
 * (nor what they import), not protobufjs for records the hand decoder reads, not the glob matcher
 * for a plain path. Each of these was start-up time on every `inspect --verify`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { GOLDEN, ROOT, withTempDir } from '../helpers.js';

/** The module files (ESM through a loader hook, CommonJS from require's cache) a CLI run loads. */
async function modulesLoadedBy(args: string[]): Promise<{ modules: string[]; status: number | null; stdout: string }> {
  return withTempDir(async (dir) => {
    const hooks = join(dir, 'hooks.mjs');
    await writeFile(hooks, `export async function load(url, context, next) { process.stderr.write('esm ' + url + '\\n'); return next(url, context); }\n`);
    const register = join(dir, 'register.mjs');
    await writeFile(register, `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
    const cjs = join(dir, 'cjs.cjs');
    await writeFile(cjs, `process.on('exit', () => { for (const f of Object.keys(require.cache)) process.stderr.write('cjs ' + f + '\\n'); });\n`);
    const r = spawnSync(process.execPath, ['--require', cjs, '--import', pathToFileURL(register).href, join(ROOT, 'bin', 'pipeline.js'), ...args], { encoding: 'utf8' });
    const modules = r.stderr.split('\n').filter((l) => l.startsWith('esm ') || l.startsWith('cjs ')).map((l) => l.slice(4));
    return { modules, status: r.status, stdout: r.stdout };
  });
}

test('inspect --verify of plain records loads no other command\'s options, no protobufjs, no glob matcher', async () => {
  const { modules, status, stdout } = await modulesLoadedBy(['inspect', join(GOLDEN, 'tensorflow-singles.tfrecord'), '--verify', '--json']);
  assert.equal(status, 0, stdout);
  assert.ok(JSON.parse(stdout).records > 0);
  assert.ok(modules.some((m) => m.endsWith('/options/inspect.js')), 'the hook saw the modules');
  for (const other of ['convert', 'speedtest', 'worker', 'recommend', 'serve', 'compare', 'report', 'run']) {
    assert.ok(!modules.some((m) => m.endsWith(`/options/${other}.js`)), `options/${other}.js loaded`);
  }
  for (const library of ['/protobufjs/', '/tinyglobby/', '/picomatch/']) assert.ok(!modules.some((m) => m.includes(library)), `${library} loaded`);
});

test('pipeline --help still declares every command (their options loaded)', async () => {
  const { modules, status, stdout } = await modulesLoadedBy(['--help']);
  assert.equal(status, 0);
  for (const command of ['inspect', 'convert', 'speedtest', 'worker', 'recommend', 'serve', 'compare', 'report', 'run']) {
    assert.match(stdout, new RegExp(`^  ${command} `, 'm'));
    assert.ok(modules.some((m) => m.endsWith(`/options/${command}.js`)), `options/${command}.js not loaded`);
  }
});

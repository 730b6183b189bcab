/**
 * Every default lives in src/options/: outside it, no `x ?? <literal>` and no `(param = <number>)`
 * chooses a value for the user. Read from the TypeScript sources, so a new default written in
 * place fails here. What is not a default stays allowed:
 * - an empty or neutral value (`?? 0`, `?? ''`, `?? []`, `?? {}`, `?? null`, `= 0`): "nothing
 *   there", a sum's start, not a setting;
 * - text inside a message's `${...}` (`${e.path ?? 'output'}`): what a line says when a value is
 *   unknown;
 * - the few lines below, each with its reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../helpers.js';

const SRC = join(ROOT, 'src');

/** `file: code` -> why it is not a default. */
const NOT_DEFAULTS: Record<string, string> = {
  "speedtest/speedtest.ts: cpu[0]?.model ?? 'unknown'": 'run.json says so when the OS names no CPU model',
  "speedtest/speedtest.ts: verdict ?? 'within --max-problems'": 'the verdict of a run within its limit, as text',
  'speedtest/sources.ts: shard.framesPerRecord?.[p.record] ?? 1': 'a record without a frame list is one frame',
  "serve/page.ts: f.chosen ?? 'none'": 'browser-side text: no model chosen',
  'serve/chart.ts: fit.scale ?? 1': 'a fit without a scale is at the measured scale (the unit)',
  "serve/server.ts: req.url ?? '/'": "Node types a request's url as optional; it is always there",
  'convert/convert.ts: list ?? false': 'no image list given (a flag passed on, not chosen)',
  'tfrecord/manifest-files.ts: ?.isFile() ?? false': 'a path that is not there is not a file',
  'storage/text-at.ts: ?.isFile() ?? false': 'a path that is not there is not a file',
  "tfrecord/keys.ts: header?.format ?? 'unknown'": 'an unreadable header, as counted in the census',
  "report/report.ts: cpu?.model ?? 'local'": 'a run without a CPU model is shown as the local machine (recommend: RECOMMEND_DEFAULTS.machine)',
  "storage/object-records.ts: named ?? 'none'": 'no compression suffix in the name means none',
  "storage/bucket-lock.ts: text ?? 'null'": 'a missing lock object parses as no lock',
  "cluster/worker-name.ts: ?? '{}'": 'a name key gone since it was refused parses as no holder',
  'recommend/analyse.ts: r.scale ?? 1': 'a row without a scale is at the measured scale (the unit)',
  'recommend/analyse.ts: g[0].scale ?? 1': 'a row without a scale is at the measured scale (the unit)',
  'scaling/models.ts: p.scale ?? 1': 'a point without a scale is at the measured scale (the unit)',
  'scaling/models.ts: scale = 1': 'the measured scale (the unit) unless a scale is given',
  'html.ts: interrupted ?? false': 'a run.json from before the field: not interrupted',
  "cluster/jobs.ts: sharp.versions.vips ?? 'unknown'": 'the build stamp of a library that does not say its version',
  "recommend/analyse.ts: fit?.basis ?? 'table'": 'no fit: the answer comes from the measured table',
  "speedtest/speedtest.ts: options.executor ?? { stats: () => ({ mode: 'local'": "run.json's executor when the run made its own local pools",
  'tfrecord/reader.ts: options.stats ?? { bytes: 0 }': 'a fresh byte counter when the caller keeps none',
};

function* sources(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) yield* sources(join(dir, e.name));
    else if (e.name.endsWith('.ts')) yield join(dir, e.name);
  }
}

/** A literal after `??` that chooses a value: a number other than 0, true / false, a non-empty string, an object with fields. */
const NULLISH_LITERAL = /\?\?\s*(?:(-?\d[\d_.]*(?:\s*(?:<<|\*)\s*\w+)?)|(true|false)\b|('(?:[^'\\]|\\.)+'|"(?:[^"\\]|\\.)+")|(\{\s*\w+\s*:))/g;
/** A parameter's default that is a number (`ms = 2000`, `tries: number = 3`). */
const NUMBER_PARAMETER = /[(,]\s*\w+\??(?:\s*:\s*[\w.<>[\]| ]+?)?\s*=\s*(-?\d[\d_.]*)\s*(?=[,)])/g;

/** The line from the start of its statement's expression to the match: is the match inside `${...}`? */
function inInterpolation(line: string, index: number): boolean {
  return line.lastIndexOf('${', index) > line.lastIndexOf('}', index);
}

/** The line with its quoted text blanked (`'train=0.8,val=0.1'` is not a parameter). */
function withoutStrings(line: string): string {
  return line.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`/g, (q) => q[0] + ' '.repeat(q.length - 2) + q[0]);
}

function allowed(file: string, line: string): boolean {
  return Object.keys(NOT_DEFAULTS).some((key) => {
    const [keyFile, code] = key.split(': ');
    return file.endsWith(keyFile) && line.includes(code);
  });
}

/** `file:line: code` of every default written outside src/options/. */
export function defaultsOutsideOptions(): string[] {
  const found: string[] = [];
  for (const file of sources(SRC)) {
    const rel = relative(SRC, file);
    if (rel.startsWith('options/')) continue;
    readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      const code = line.trim();
      if (code.startsWith('*') || code.startsWith('//') || code.startsWith('/*')) return;
      const hits = [
        ...[...line.matchAll(NULLISH_LITERAL)].filter((m) => !(m[1] !== undefined && Number(m[1].replace(/_/g, '')) === 0) && !inInterpolation(line, m.index!)),
        ...[...withoutStrings(line).matchAll(NUMBER_PARAMETER)].filter((m) => Number(m[1].replace(/_/g, '')) !== 0 && !/\b(?:let|const|var|for)\b/.test(line.slice(0, m.index))),
      ];
      if (hits.length && !allowed(rel, line)) found.push(`src/${rel}:${i + 1}: ${code}`);
    });
  }
  return found;
}

test('no default is written outside src/options/ (nor a `?? <literal>`, nor a numeric parameter default)', () => {
  assert.deepEqual(defaultsOutsideOptions(), []);
});

test('the check finds a default written in place, and leaves neutral values and message text alone', () => {
  const lines = ['const max = options.maxPending ?? 240;', 'f(x, limit ?? 0.25)', "const a = o.goal ?? 'time';", 'async stop(ms = 2000) {', 'const v = o.maxProblems ?? { fraction: 0.01 };'];
  for (const line of lines) assert.ok([...line.matchAll(NULLISH_LITERAL), ...line.matchAll(NUMBER_PARAMETER)].length > 0, line);
  const fine = ['n = (m[k] ?? 0) + 1;', "throw new Error(`cannot write ${e.path ?? 'output'}`);", 'const list = x ?? [];', 'function f(depth = 0) {', "usageError(option, 'pairs such as train=0.8,val=0.1', text);"];
  for (const line of fine) {
    const hits = [...line.matchAll(NULLISH_LITERAL)].filter((m) => !(m[1] !== undefined && Number(m[1]) === 0) && !inInterpolation(line, m.index!));
    const params = [...withoutStrings(line).matchAll(NUMBER_PARAMETER)].filter((m) => Number(m[1]) !== 0);
    assert.equal(hits.length + params.length, 0, line);
  }
});

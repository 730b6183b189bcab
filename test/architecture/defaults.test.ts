/**
 * Every default lives in src/options/: outside it, no `x ?? <literal>`, no `x || <literal>` and no
 * default of a parameter or a destructured field (`(ms = 2000)`, `{ name = 'dataset' }`) chooses a
 * value for the user. A literal is a number, a string, true / false, an object or array with
 * entries, or an expression of those (`1 << 20`). Read from the TypeScript sources with the
 * compiler's parser, so a new default written in place fails here. What is not a default stays
 * allowed:
 * - an empty or neutral value (`?? 0`, `|| ''`, `?? []`, `?? {}`, `?? null`, `= 0`): "nothing
 *   there", a sum's start, not a setting;
 * - text inside a message's `${...}` (`${e.path ?? 'output'}`): what a line says when a value is
 *   unknown;
 * - the few lines below, each with its reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import ts from 'typescript';
import { lineOf, parse, sources, walk, type Source } from './source-files.js';

/** `file: code` -> why it is not a default. */
const NOT_DEFAULTS: Record<string, string> = {
  "speedtest/speedtest.ts: cpu[0]?.model ?? 'unknown'": 'run.json says so when the OS names no CPU model',
  "speedtest/speedtest.ts: verdict ?? 'within --max-problems'": 'the verdict of a run within its limit, as text',
  'speedtest/sources.ts: shard.framesPerRecord?.[p.record] ?? 1': 'a record without a frame list is one frame',
  'serve/chart.ts: fit.scale ?? 1': 'a fit without a scale is at the measured scale (the unit)',
  "serve/server.ts: req.url ?? '/'": "Node types a request's url as optional; it is always there",
  "tfrecord/keys.ts: header?.format ?? 'unknown'": 'an unreadable header, as counted in the census',
  "report/report.ts: cpu?.model ?? 'local'": 'a run without a CPU model is shown as the local machine (recommend: RECOMMEND_DEFAULTS.machine)',
  "storage/object-records.ts: named ?? 'none'": 'no compression suffix in the name means none',
  "storage/bucket-lock.ts: text ?? 'null'": 'a missing lock object parses as no lock',
  "cluster/worker-name.ts: ?? '{}'": 'a name key gone since it was refused parses as no holder',
  'recommend/analyse.ts: r.scale ?? 1': 'a row without a scale is at the measured scale (the unit)',
  'recommend/analyse.ts: g[0].scale ?? 1': 'a row without a scale is at the measured scale (the unit)',
  'scaling/models.ts: p.scale ?? 1': 'a point without a scale is at the measured scale (the unit)',
  'scaling/models.ts: scale = 1': 'the measured scale (the unit) unless a scale is given',
  "cluster/jobs.ts: sharp.versions.vips ?? 'unknown'": 'the build stamp of a library that does not say its version',
  "recommend/analyse.ts: fit?.basis ?? 'table'": 'no fit: the answer comes from the measured table',
  'tfrecord/reader.ts: options.stats ?? { bytes: 0 }': 'a fresh byte counter when the caller keeps none',
  "dataset/split.ts: option = '--split'": 'the flag an error names when the caller parses another one',
  "hosts/alarms.ts: option = '--alarm'": 'the flag an error names when the caller parses another one',
  "output/out-path.ts: option = '--out'": 'the flag an error names when the caller checks another one',
  "tfrecord/keys.ts: where = 'the records'": 'what an error calls the sample when the caller does not say',
  "tfrecord/keys.ts: || 'no features'": 'message text: a record without features',
  "tfrecord/record-index.ts: path = '<index>'": 'what an error calls an index parsed from text',
  'pool/protocol.ts: stop = true': 'requestStop(progress) stops; requestStop(progress, false) clears the flag',
  'report/host-charts.ts: scale = 1': 'a series at the measured scale (the unit) unless a scale is given',
  'report/tables.ts: digits = 4': 'how a table cell prints a number (its significant digits), not a setting',
  'scaling/leave-one-out.ts: Math.sqrt(s) || 1': 'arithmetic: a zero spread scales by the unit',
  'stats/ols.ts: rankTolerance = 1e-6': "the solver's numerical rank tolerance, not a setting",
  'stats/ols.ts: norm(cols[i]) || 1': 'arithmetic: a zero column is compared at the unit scale',
};

/** 'neutral' for an empty value, 'chosen' for a literal that picks one, undefined for anything else. */
function literal(node: ts.Expression): 'neutral' | 'chosen' | undefined {
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node)) return literal(node.expression);
  if (ts.isNumericLiteral(node)) return Number(node.text) === 0 ? 'neutral' : 'chosen';
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken) return literal(node.operand);
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text === '' ? 'neutral' : 'chosen';
  if (node.kind === ts.SyntaxKind.TrueKeyword) return 'chosen';
  // false: a switch left off, like 0 and '' ("nothing asked").
  if (node.kind === ts.SyntaxKind.FalseKeyword || node.kind === ts.SyntaxKind.NullKeyword) return 'neutral';
  // An object or array of literals (`{ fraction: 0.01 }`); one holding a variable (`[workers]`) passes a value on.
  if (ts.isObjectLiteralExpression(node)) {
    const values = node.properties.map((p) => (ts.isPropertyAssignment(p) ? literal(p.initializer) : undefined));
    return values.length === 0 ? 'neutral' : values.includes(undefined) ? undefined : 'chosen';
  }
  if (ts.isArrayLiteralExpression(node)) {
    const values = node.elements.map((e) => literal(e));
    return values.length === 0 ? 'neutral' : values.includes(undefined) ? undefined : 'chosen';
  }
  if (ts.isBinaryExpression(node)) {
    const parts = [literal(node.left), literal(node.right)];
    return parts.includes(undefined) ? undefined : 'chosen';
  }
  return undefined;
}

/** Inside a template's `${...}`: what a message says when a value is unknown. */
function inMessage(node: ts.Node): boolean {
  for (let up = node.parent; up; up = up.parent) if (ts.isTemplateSpan(up)) return true;
  return false;
}

/** The value chosen in place, when `node` chooses one: the right side of `??` / `||`, or an initializer of a parameter or destructured field. */
function chosenValue(node: ts.Node): ts.Expression | undefined {
  const fallback = ts.isBinaryExpression(node) && [ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.BarBarToken].includes(node.operatorToken.kind);
  if (fallback) return node.right;
  if ((ts.isParameter(node) || ts.isBindingElement(node)) && node.initializer) return node.initializer;
  return undefined;
}

/** The NOT_DEFAULTS entries that let a line through (each one must still match a line: see the test below). */
const used = new Set<string>();

function allowed(file: string, line: string): boolean {
  const keys = Object.keys(NOT_DEFAULTS).filter((key) => {
    const [keyFile, code] = key.split(': ');
    return file.endsWith(keyFile) && line.includes(code);
  });
  keys.forEach((k) => used.add(k));
  return keys.length > 0;
}

/** `src/file:line: code` of every default written in `sourceList` (outside src/options/). */
export function defaultsOutsideOptions(sourceList: Source[] = sources()): string[] {
  const found = new Set<string>();
  for (const source of sourceList) {
    if (source.rel.startsWith('options/')) continue;
    for (const node of walk(source.file)) {
      const value = chosenValue(node);
      if (!value || literal(value) !== 'chosen' || inMessage(node)) continue;
      const { line, text } = lineOf(source, value);
      if (!allowed(source.rel, text)) found.add(`src/${source.rel}:${line}: ${text.trim()}`);
    }
  }
  return [...found];
}

test('no default is written outside src/options/ (no `?? <literal>`, no `|| <literal>`, no literal parameter or field default)', () => {
  assert.deepEqual(defaultsOutsideOptions(), []);
  // An exception whose line is gone (or no longer a default) is removed, not left to excuse a new one.
  assert.deepEqual(Object.keys(NOT_DEFAULTS).filter((k) => !used.has(k)), []);
});

test('the check finds a default written in place, and leaves neutral values and message text alone', () => {
  const chosen = [
    'const max = options.maxPending ?? 240;', 'f(x, limit ?? 0.25)', "const a = o.goal ?? 'time';", 'class A { async stop(ms = 2000) {} }',
    'const v = o.maxProblems ?? { fraction: 0.01 };', "const name = o.name || 'dataset';", 'const n = o.n || 4;', 'const b = 1 << 20; const c = o.c ?? 1 << 20;',
    "function f({ name = 'x' }: { name?: string }) {}", 'function g(flag = true) {}', "const h = (s: string = 'a') => s;", 'const { limit = 5 } = options;',
  ];
  for (const line of chosen) assert.equal(defaultsOutsideOptions([parse('x/x.ts', line)]).length, 1, line);
  const fine = [
    'let n = (m[k] ?? 0) + 1;', "throw new Error(`cannot write ${e.path ?? 'output'}`);", 'const list = x ?? [];', 'function f(depth = 0) {}', "const s = a || '';",
    "usageError(option, 'pairs such as train=0.8,val=0.1', text);", 'const y = a || b;', 'const z = a ?? DEFAULT_Z;', 'function g(o = {}) {}',
    'function h(flag = false) {}', 'const w = o.sweep ?? [workers];',
  ];
  for (const line of fine) assert.deepEqual(defaultsOutsideOptions([parse('x/x.ts', line)]), [], line);
  assert.deepEqual(defaultsOutsideOptions([parse('options/x.ts', 'const n = o.n || 4;')]), [], 'src/options/ is where defaults live');
});

/**
 * No function in src/ is over 80 lines (issue 21: a long function doing six jobs slows every
 * change). Counted from the line of its first token to the line of its last, comments and blank
 * lines inside it included; a function nested in another is counted on its own and as part of
 * the outer one. Read with the TypeScript parser, so every kind of function is seen: declarations,
 * methods, constructors, accessors, arrow functions and function expressions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import ts from 'typescript';
import { parse, sources, walk, type Source } from './source-files.js';

const MAX_LINES = 80;

/** A name for the report: the function's own, or the variable or property it is assigned to. */
function nameOf(node: ts.FunctionLikeDeclaration): string {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (node.name) return node.name.getText();
  const parent = node.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.name) return parent.name.getText();
  return '(anonymous)';
}

/** `src/file:line name: n lines` of every function over `max` lines. */
export function longFunctions(sourceList: Source[] = sources(), max = MAX_LINES): string[] {
  const found: string[] = [];
  for (const source of sourceList) {
    for (const node of walk(source.file)) {
      if (!ts.isFunctionLike(node) || !('body' in node) || !node.body) continue;
      const start = source.file.getLineAndCharacterOfPosition(node.getStart(source.file)).line;
      const end = source.file.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      if (lines > max) found.push(`src/${source.rel}:${start + 1} ${nameOf(node as ts.FunctionLikeDeclaration)}: ${lines} lines`);
    }
  }
  return found;
}

test(`no function in src/ is over ${MAX_LINES} lines`, () => {
  assert.deepEqual(longFunctions(), []);
});

test('the check sees every kind of function, nested ones on their own', () => {
  const body = (n: number) => Array.from({ length: n }, (_, i) => `  const v${i} = ${i};`).join('\n');
  const text = [
    `function declared() {\n${body(3)}\n}`,
    `const arrow = () => {\n${body(3)}\n};`,
    `class C {\n  method() {\n${body(3)}\n  }\n  constructor() {\n${body(3)}\n  }\n}`,
    `export const outer = function () {\n  const inner = () => {\n${body(3)}\n  };\n};`,
  ].join('\n');
  const found = longFunctions([parse('x/x.ts', text)], 4).map((f) => f.replace(/^src\/x\/x\.ts:\d+ /, ''));
  assert.deepEqual(found, ['declared: 5 lines', 'arrow: 5 lines', 'method: 5 lines', 'constructor: 5 lines', 'outer: 7 lines', 'inner: 5 lines']);
});

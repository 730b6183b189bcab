/**
 * The TypeScript sources of src/, parsed (the compiler's own parser: no type checking), for the
 * architecture tests that read the code's shape rather than its text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { ROOT } from '../helpers.js';

export const SRC = join(ROOT, 'src');

export interface Source {
  /** Path under src/, with forward slashes (`convert/convert.ts`). */
  rel: string;
  file: ts.SourceFile;
}

function* paths(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) yield* paths(join(dir, e.name));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) yield join(dir, e.name);
  }
}

/** Parses `text` as a file of src/ (tests of the checks parse a few lines this way). */
export function parse(rel: string, text: string): Source {
  return { rel, file: ts.createSourceFile(rel, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS) };
}

let cache: Source[] | undefined;

/** Every .ts file under src/, parsed once per process. */
export function sources(): Source[] {
  cache ??= [...paths(SRC)].map((p) => parse(relative(SRC, p).split('\\').join('/'), readFileSync(p, 'utf8')));
  return cache;
}

/** Every node under `node`, depth first. */
export function* walk(node: ts.Node): Generator<ts.Node> {
  yield node;
  for (const child of node.getChildren()) yield* walk(child);
}

/** The 1-based line of a node's start and that line's text. */
export function lineOf(source: Source, node: ts.Node): { line: number; text: string } {
  const { line } = source.file.getLineAndCharacterOfPosition(node.getStart(source.file));
  return { line: line + 1, text: source.file.text.split('\n')[line] };
}

/**
 * @napi-rs/image, loaded on first use: a convert of plain JPEGs and PNGs (our addon and
 * libjpeg-turbo) never needs it, and its load cost about 39 ms of each worker thread's start-up,
 * before its first task. Only PNGs our addon refuses, WebP and JPEGs past quality 90 call it.
 * Loaded synchronously (createRequire: it is a CommonJS package) because its callers are.
 */
import { createRequire } from 'node:module';
import type { Transformer as TransformerClass } from '@napi-rs/image';

let transformer: typeof TransformerClass | undefined;

/** The Transformer class, the package loaded by the first call on this thread. */
export function napiTransformer(): typeof TransformerClass {
  transformer ??= (createRequire(import.meta.url)('@napi-rs/image') as typeof import('@napi-rs/image')).Transformer;
  return transformer;
}

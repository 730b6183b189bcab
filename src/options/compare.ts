/** `pipeline compare`'s options. */
import { defineOptions, type OptionsInput, type OptionsOutput } from './define.js';
import { path } from './values.js';

export const compareOptions = defineOptions('compare', {
  a: { schema: path, expected: 'a speed-test run folder', help: 'a speed-test run folder (the baseline)', argument: '<run-a>' },
  b: { schema: path, expected: 'a speed-test run folder', help: 'a speed-test run folder (the candidate)', argument: '<run-b>' },
  out: { schema: path.optional(), expected: 'a folder', help: 'also write compare.md, compare.html and its chart here', value: '<dir>' },
});

export type CompareOptionsInput = OptionsInput<typeof compareOptions>;
export type CompareSettings = OptionsOutput<typeof compareOptions>;

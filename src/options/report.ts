/** `pipeline report`'s options. */
import { defineOptions, type OptionsInput, type OptionsOutput } from './define.js';
import { path } from './values.js';

/** Significant digits of a figure in the pages' text and tables (src/format/text.ts). */
export const FIGURE_DIGITS = 4;

export const reportOptions = defineOptions('report', {
  run: { schema: path, expected: 'a run folder written by pipeline speedtest', help: 'a run folder written by pipeline speedtest', argument: '<run-dir>' },
  beside: { schema: path.optional(), expected: 'another run folder written by pipeline speedtest', help: "another run's grid beside this one (e.g. the same grid with the data in a bucket): medians and the TFRecord/images ratio side by side", value: '<run-dir>' },
  out: { schema: path.optional(), expected: 'a folder', help: 'where to write', value: '<dir>', defaultText: 'the run folder' },
});

export type ReportOptionsInput = OptionsInput<typeof reportOptions>;
export type ReportSettings = OptionsOutput<typeof reportOptions>;

/** Defaults of the speed test that depend on the data, not on an option's own default. */

/**
 * The size image files are fitted to when neither --size nor TFRecords say one (an images-only
 * run): the size convert stores by default (src/options/convert.ts), so both datasets compare.
 */
export const DEFAULT_FIT_SIZE = { width: 192, height: 192 } as const;

/** Channels both datasets decode to when neither --channels nor the TFRecords say one (mixed or no TFRecords). */
export const DEFAULT_CHANNELS = 3;

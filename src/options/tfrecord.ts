/**
 * The TFRecord library's defaults (src/tfrecord/), for callers that leave an option out. The
 * commands' own options (convert's --compression) start from the same values.
 */
export const TFRECORD_DEFAULTS = {
  /** Readers check every length and data CRC unless told not to. */
  verify: true,
  /** The largest record a reader accepts: a corrupt length is refused before buffering toward it. */
  maxRecordBytes: 1 << 30,
  /** What writers write. */
  compression: 'none',
} as const;

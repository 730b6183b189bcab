/** Defaults of the TFRecord folder scan (src/tfrecord/files.ts), shared by inspect, speedtest and convert's checks. */

/**
 * How many folder levels below a folder without shards are searched for them: 3 reaches TFDS's
 * `<data_dir>/<name>/<config>/<version>/` from `<data_dir>/<name>` (`mnist` finds `mnist/3.0.1/*`)
 * without walking a whole home folder.
 */
export const FOLDER_SCAN_DEPTH = 3;

/**
 * The library: what `import ... from 'tfrecord-pipeline'` gives. Commands are functions that
 * return data (the CLI only prints it); their options are checked by the same schemas as the
 * command line (src/options/), and failures are PipelineErrors with stable codes.
 *
 * @example
 *   import { convert, readRecords, decodeExample } from 'tfrecord-pipeline';
 *   const result = await convert({ input: 'photos', out: 'shards', size: '96x96', partitions: 2 });
 *   for await (const record of readRecords(`shards/part-00000-of-00002.tfrecord`)) decodeExample(record.data);
 */

// TFRecord format: framing, reader, writer, record index, tf.train.Example codec.
export { readRecords, readRecordsFromFiles, type ReadRecordsOptions, type RecordProblem, type TFRecord } from './tfrecord/reader.js';
export { writeRecords, type WriteRecordsOptions, type WriteResult } from './tfrecord/writer.js';
export { formatIndex, parseIndex, readIndex, indexPathFor, type IndexEntry } from './tfrecord/record-index.js';
export { decodeAnyExample, decodeExample, encodeExample, decodeSequenceExample, encodeSequenceExample, featureType, type AnyExample, type Feature, type Features, type FeatureType, type SequenceExample } from './tfrecord/example.js';
export { findRecordFiles, listRecordFiles } from './tfrecord/files.js';
export type { Compression } from './tfrecord/compression.js';
export { inspect, type InspectOptions, type InspectResult } from './inspect/inspect.js';

// Commands, as functions returning data.
export { convert, type ConvertOptions, type ConvertProgress, type ConvertResult } from './convert/convert.js';
export { speedtest, type SpeedtestOptions, type SpeedtestResult } from './speedtest/speedtest.js';
export { report, type ReportOptions, type ReportResult } from './report/report.js';
export type { Chart, ChartSpec } from './charts/render.js';
export { compare, type CompareOptions, type CompareResult } from './compare/compare.js';
export { recommend, recommendNext, type RecommendOptions } from './recommend/recommend.js';
export type { Candidate, Recommendation } from './recommend/recommend.js';
export { runPipeline, loadPipelineFile, type RunOptions, type RunResult } from './pipeline-file/run.js';

// Errors: one class, stable codes.
export { PipelineError, type ErrorCode, type ErrorDetails } from './errors.js';

export { VERSION } from './version.js';

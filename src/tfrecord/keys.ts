/**
 * Which features of a tf.train.Example hold the image, the label and the image's size, pure: a
 * key given by the user, else the first well-known name present, else (for the image) the bytes
 * feature whose values are images by their magic bytes. Decided once, from the first records,
 * by the driver; the workers are told the keys.
 */
import { PipelineError } from '../errors.js';
import { readImageHeader, sniffImage } from '../image/header.js';
import { featureType, type AnyExample, type Features } from './example.js';

/** Names other tools write, most specific first (TFDS, TF-slim / Object Detection API, Kaggle, tutorials). */
export const IMAGE_KEYS = ['image', 'image/encoded', 'image_raw', 'image/raw', 'encoded', 'jpeg', 'png', 'img', 'image_bytes', 'img_raw', 'data'];
// image/object/class/label: the Object Detection API's, one class id per box (the first is taken).
export const LABEL_KEYS = ['class', 'label', 'image/class/label', 'labels', 'target', 'category', 'category_id', 'class_id', 'image/label', 'y', 'image/object/class/label'];
const WIDTH_KEYS = ['width', 'image/width', 'img_width'];
const HEIGHT_KEYS = ['height', 'image/height', 'img_height'];
const CHANNEL_KEYS = ['channels', 'image/channels', 'depth', 'image/depth'];

export type Found = 'option' | 'well-known name' | 'content';

export interface KeyChoice {
  key: string;
  how: Found;
}

export interface DetectedKeys {
  image: KeyChoice;
  /**
   * True when the image is a feature list of SequenceExamples (video, camera traps): one image per
   * frame, and the label and sizes may be in the context or in lists of their own.
   */
  frames: boolean;
  /** Null when the records carry no label (a label is optional for reading). */
  label: KeyChoice | null;
  /** int64 features with the stored size and channels; null: the image header says them. */
  width: string | null;
  height: string | null;
  channels: string | null;
  /** What the first records hold: formats, sizes and channels seen. */
  formats: string[];
  sizes: string[];
  storedChannels: number[];
}

export interface KeyOptions {
  imageKey?: string;
  labelKey?: string;
}

const has = (f: Features, key: string, type: 'bytes' | 'int64') => f[key] !== undefined && featureType(f[key]) === type;
const describe = (f: Features) => Object.entries(f).map(([k, v]) => `${k} (${featureType(v)})`).join(', ') || 'no features';

/**
 * Detects the keys from a sample of parsed records (the first few of the first shard).
 * Throws USAGE when a given key is missing, DATA when no image can be found.
 */
export function detectKeys(sample: readonly Features[], options: KeyOptions = {}, where = 'the records'): DetectedKeys {
  if (sample.length === 0) throw new PipelineError('DATA', `${where}: no readable records to find the image feature in`);
  const first = sample[0];
  const everywhere = (key: string, type: 'bytes' | 'int64') => sample.every((f) => has(f, key, type));
  let image: KeyChoice | undefined;
  if (options.imageKey !== undefined) {
    if (!everywhere(options.imageKey, 'bytes')) throw new PipelineError('USAGE', `--image-key: expected a bytes feature of every record, got ${JSON.stringify(options.imageKey)}; ${where} hold ${describe(first)}`);
    image = { key: options.imageKey, how: 'option' };
  } else {
    const known = IMAGE_KEYS.find((k) => everywhere(k, 'bytes') && sample.every((f) => isImage(f, k)));
    if (known) image = { key: known, how: 'well-known name' };
    else {
      const byContent = Object.keys(first).sort().find((k) => everywhere(k, 'bytes') && sample.every((f) => isImage(f, k)));
      if (byContent) image = { key: byContent, how: 'content' };
    }
  }
  if (!image) throw new PipelineError('DATA', `${where}: no feature holds an encoded image (JPEG, PNG, WebP, GIF, BMP, TIFF); the records hold ${describe(first)}: name the image with --image-key`);

  let label: KeyChoice | null = null;
  if (options.labelKey !== undefined) {
    if (!sample.every((f) => f[options.labelKey!] !== undefined)) throw new PipelineError('USAGE', `--label-key: expected a feature of every record, got ${JSON.stringify(options.labelKey)}; ${where} hold ${describe(first)}`);
    label = { key: options.labelKey, how: 'option' };
  } else {
    // An int64 label (a class id) before a bytes one (a class name), as a training step wants ids.
    // A record whose label is an empty feature (TFX's missing value) does not disqualify the key.
    const labelled = (k: string, type: 'bytes' | 'int64') => sample.every((f) => has(f, k, type) || (f[k] !== undefined && 'empty' in f[k]!)) && sample.some((f) => has(f, k, type));
    const known = LABEL_KEYS.find((k) => labelled(k, 'int64')) ?? LABEL_KEYS.find((k) => labelled(k, 'bytes'));
    if (known) label = { key: known, how: 'well-known name' };
  }

  const intKey = (keys: string[]) => keys.find((k) => everywhere(k, 'int64')) ?? null;
  const width = intKey(WIDTH_KEYS);
  const height = intKey(HEIGHT_KEYS);
  const channels = intKey(CHANNEL_KEYS);
  const formats = new Set<string>();
  const sizes = new Set<string>();
  const stored = new Set<number>();
  for (const f of sample) {
    const bytes = (f[image.key] as { bytes: Uint8Array[] }).bytes[0];
    const header = bytes ? readImageHeader(bytes) : undefined;
    formats.add(header?.format ?? 'unknown');
    const w = width ? Number((f[width] as { int64: bigint[] }).int64[0]) : header?.width;
    const h = height ? Number((f[height] as { int64: bigint[] }).int64[0]) : header?.height;
    if (w && h) sizes.add(`${w}x${h}`);
    const c = channels ? Number((f[channels] as { int64: bigint[] }).int64[0]) : header?.channels;
    if (c) stored.add(c);
  }
  const sized = Boolean(width && height);
  return {
    image, frames: false, label, width: sized ? width : null, height: sized ? height : null, channels,
    formats: [...formats], sizes: [...sizes], storedChannels: [...stored].sort(),
  };
}

/**
 * Detects the keys from parsed records of either kind. SequenceExamples: the image in the context
 * if it is there (or `imageKey` names a context feature), else in a feature list, each frame seen as
 * the context plus that frame of every list.
 */
export function detectKeysIn(sample: readonly AnyExample[], options: KeyOptions = {}, where = 'the records'): DetectedKeys {
  const sequences = sample.filter((r) => r.kind === 'sequence');
  if (sequences.length === 0) return detectKeys(sample.map((r) => (r.kind === 'example' ? r.features : r.context)), options, where);
  const contexts = sample.map((r) => (r.kind === 'example' ? r.features : r.context));
  const listed = options.imageKey !== undefined && sequences.some((r) => r.featureLists[options.imageKey!] !== undefined);
  let contextError: unknown;
  if (!listed) {
    try {
      return detectKeys(contexts, options, where);
    } catch (error) {
      if (options.imageKey !== undefined) throw error;
      contextError = error;
    }
  }
  const frames = frameFeatures(sequences, 32);
  if (frames.length === 0) throw contextError ?? new PipelineError('DATA', `${where}: the SequenceExamples' feature lists hold no frames to find the image in`);
  return { ...detectKeys(frames, options, `${where} (frames of their feature lists)`), frames: true };
}

/** Up to `limit` frames: each one the context plus the i-th item of every list that long. */
export function frameFeatures(sequences: readonly { context: Features; featureLists: Record<string, Features[string][]> }[], limit: number): Features[] {
  const out: Features[] = [];
  for (const s of sequences) {
    const length = Math.max(0, ...Object.values(s.featureLists).map((l) => l.length));
    for (let i = 0; i < length && out.length < limit; i++) {
      const frame: Features = { ...s.context };
      for (const [key, list] of Object.entries(s.featureLists)) if (list[i] !== undefined) frame[key] = list[i]!;
      out.push(frame);
    }
  }
  return out;
}

function isImage(f: Features, key: string): boolean {
  const values = (f[key] as { bytes: Uint8Array[] }).bytes;
  return values.length > 0 && sniffImage(values[0]) !== undefined;
}

/** One line for logs and reports: `image: "image/encoded" (well-known name), label: ...`. */
export function describeKeys(d: DetectedKeys): string {
  const k = (c: KeyChoice | null) => (c ? `"${c.key}" (${c.how})` : 'none');
  const size = d.width ? `features "${d.width}", "${d.height}"` : 'image header';
  return `image ${k(d.image)}${d.frames ? ' (a feature list: one image per frame)' : ''}, label ${k(d.label)}, size from ${size}; ${d.formats.join('/')} ${d.sizes.join(', ') || 'of unknown size'}, ${d.storedChannels.join('/') || '?'} channel(s)`;
}

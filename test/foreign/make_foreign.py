#!/usr/bin/python3
"""
Writes TFRecord datasets the way other tools lay them out, from the bundled photos, with a writer
that shares nothing with the project's: its own CRC32C (bitwise, Castagnoli polynomial), its own
protobuf encoding of tf.train.Example (hand-written wire format), Pillow for the images.

    /usr/bin/python3 test/foreign/make_foreign.py fixtures/photos OUT_DIR

Prints one JSON object: for each dataset, its folder, its record count and what a reader must find.
Layouts (each in OUT_DIR/<name>/):
  tfds     TFDS: dataset_info.json, photos-train.tfrecord-0000N-of-00002 (80) and
           photos-test.tfrecord-00000-of-00001 (20); keys image (original JPEG) + label; no sizes.
  slim     TF-slim's ImageNet build: train-0000N-of-00002, keys image/encoded, image/class/label
           (1-based), image/height, image/width, image/channels, image/format, image/filename.
  kaggle   Kaggle: flowers00-50.tfrec, flowers01-50.tfrec; keys image + class + id.
  grey     MNIST-like: 28x28 greyscale JPEGs, keys image + label, no sizes.
  rgba     RGBA PNGs 64x48, keys image/encoded + image/class/label.
  palette  palette PNGs, 16-bit greyscale PNGs and WebPs in three datasets of their own.
  sniff    keys no reader knows (blob, y): the image is found by content.
  broken   every image cut short: each record a problem.
  twobad   two images of 100 cut short.
  sizes    original-size JPEGs of three different sizes, keys image + label + width + height.
  stale    the tfds train shards with .idx files of another dataset beside them.
  tfx      TFX example-gen style: image + label, the label an empty Feature (no list set: a missing
           value) in every 10th record; "weight" int64 but bytes in 3 records (a type conflict).
  video    SequenceExamples: context label + video/id, feature_lists image/encoded (3 JPEG frames
           of 64x48 each) and frame/index; 10 records, 30 frames.
  odapi    Object Detection API: image/encoded, image/format, image/height, image/width,
           image/object/bbox/* (float lists), image/object/class/label + /text (one per box).
  nested   TFDS's <data_dir>/<name>/<version>/ layout: nested/mnist/3.0.1/ holds dataset_info.json,
           features.json and the shards; "dir" is nested/mnist.
  tfdsbad  the tfds layout whose dataset_info.json says train has 81 records (it has 80).
"""
import io
import json
import os
import struct
import sys

from PIL import Image


def crc32c(data: bytes) -> int:
    table = crc32c.table
    crc = 0xFFFFFFFF
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _table():
    out = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        out.append(c)
    return out


crc32c.table = _table()


def masked(data: bytes) -> int:
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def frame(data: bytes) -> bytes:
    length = struct.pack('<Q', len(data))
    return length + struct.pack('<I', masked(length)) + data + struct.pack('<I', masked(data))


def varint(n: int) -> bytes:
    n &= (1 << 64) - 1  # negative int64 as two's complement, as protobuf does
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(number: int, payload: bytes) -> bytes:
    """A length-delimited field (wire type 2)."""
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def feature(value) -> bytes:
    if value is None:
        return b''  # a Feature with no list set (oneof kind unset): TFX's missing value
    if isinstance(value, float) or (isinstance(value, list) and value and isinstance(value[0], float)):
        floats = value if isinstance(value, list) else [value]
        return field(2, field(1, b''.join(struct.pack('<f', v) for v in floats)))  # Feature.float_list (2), packed
    if isinstance(value, (bytes, str)):
        raw = value.encode() if isinstance(value, str) else value
        return field(1, field(1, raw))  # Feature.bytes_list (1) -> BytesList.value (1)
    packed = b''.join(varint(v) for v in (value if isinstance(value, list) else [value]))
    return field(3, field(1, packed))  # Feature.int64_list (3) -> Int64List.value (1), packed


def features_map(features: dict) -> bytes:
    """Features: map<string, Feature> entries (1) of key (1) and value (2)."""
    return b''.join(field(1, field(1, k.encode()) + field(2, feature(v))) for k, v in features.items())


def example(features: dict) -> bytes:
    return field(1, features_map(features))  # Example.features (1)


def sequence_example(context: dict, lists: dict) -> bytes:
    """SequenceExample: context (1, Features), feature_lists (2, FeatureLists: map<string, FeatureList>
    entries (1); FeatureList: repeated Feature (1))."""
    entries = b''.join(field(1, field(1, k.encode()) + field(2, b''.join(field(1, feature(v)) for v in frames))) for k, frames in lists.items())
    return field(1, features_map(context)) + field(2, entries)


def encode(im: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def write(path: str, records: list) -> None:
    with open(path, 'wb') as f:
        for r in records:
            f.write(frame(r))


def main() -> None:
    photos, out = sys.argv[1], sys.argv[2]
    classes = sorted(d for d in os.listdir(photos) if os.path.isdir(os.path.join(photos, d)))
    files = [(os.path.join(photos, c, n), i, c, f'{c}/{n}') for i, c in enumerate(classes) for n in sorted(os.listdir(os.path.join(photos, c)))]
    # Interleave classes so every shard holds all of them (as TFDS and slim shuffle).
    files.sort(key=lambda f: (f[3].split('-')[-1], f[1]))
    raw = [open(p, 'rb').read() for p, *_ in files]
    result = {}

    def dataset(name, shards, expect):
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        total = 0
        for shard_name, records in shards:
            write(os.path.join(d, shard_name), records)
            total += len(records)
        result[name] = dict(dir=d, records=total, files=[s for s, _ in shards], **expect)
        return d

    def split(records, n):
        return [records[i * len(records) // n:(i + 1) * len(records) // n] for i in range(n)]

    # TFDS: image + label, original JPEG bytes, no sizes; two splits.
    tfds = [example({'image': b, 'label': f[1]}) for b, f in zip(raw, files)]
    train, test = tfds[:80], tfds[80:]
    d = dataset('tfds', [(f'photos-train.tfrecord-{i:05d}-of-00002', part) for i, part in enumerate(split(train, 2))]
                + [('photos-test.tfrecord-00000-of-00001', test)],
                dict(image='image', label='label', width=320, height=240, channels=3, train=80, test=20))
    json.dump({'name': 'photos', 'splits': [{'name': 'train', 'shardLengths': ['40', '40']}, {'name': 'test', 'shardLengths': ['20']}]},
              open(os.path.join(d, 'dataset_info.json'), 'w'))

    # TF-slim's build_imagenet_data.py keys, labels 1-based (0 is "background").
    slim = [example({'image/height': 240, 'image/width': 320, 'image/colorspace': 'RGB', 'image/channels': 3,
                     'image/class/label': f[1] + 1, 'image/class/text': f[2], 'image/format': 'JPEG',
                     'image/filename': f[3].split('/')[-1], 'image/encoded': b}) for b, f in zip(raw, files)]
    dataset('slim', [(f'train-{i:05d}-of-00002', part) for i, part in enumerate(split(slim, 2))],
            dict(image='image/encoded', label='image/class/label', width=320, height=240, channels=3))

    # Kaggle competitions: .tfrec, image + class + id.
    kaggle = [example({'id': f[3], 'class': f[1], 'image': b}) for b, f in zip(raw, files)]
    dataset('kaggle', [(f'flowers{i:02d}-50.tfrec', part) for i, part in enumerate(split(kaggle, 2))],
            dict(image='image', label='class', width=320, height=240, channels=3))

    pil = [Image.open(p) for p, *_ in files]
    grey = [example({'image': encode(im.convert('L').resize((28, 28)), 'JPEG', quality=90), 'label': f[1]}) for im, f in zip(pil, files)]
    dataset('grey', [('mnist-train.tfrecord-00000-of-00001', grey)], dict(image='image', label='label', width=28, height=28, channels=1))

    rgba = []
    for im, f in zip(pil, files):
        im = im.resize((64, 48)).convert('RGBA')
        im.putalpha(Image.linear_gradient('L').resize((64, 48)))
        rgba.append(example({'image/encoded': encode(im, 'PNG'), 'image/class/label': f[1], 'image/format': 'png'}))
    dataset('rgba', [('rgba.tfrecord', rgba)], dict(image='image/encoded', label='image/class/label', width=64, height=48, channels=4))

    pal = [example({'image': encode(im.resize((40, 30)).convert('P'), 'PNG'), 'label': f[1]}) for im, f in zip(pil, files)]
    dataset('palette', [('palette.tfrecord', pal)], dict(image='image', label='label', width=40, height=30, channels=3))

    def grey16(im):
        g = im.convert('L').resize((40, 30))
        return Image.frombytes('I;16', g.size, bytes(b for v in g.tobytes() for b in (v, v)))  # little-endian v*257

    g16 = [example({'image': encode(grey16(im), 'PNG'), 'label': f[1]}) for im, f in zip(pil, files)]
    dataset('grey16', [('grey16.tfrecord', g16)], dict(image='image', label='label', width=40, height=30, channels=1))

    webp = [example({'image': encode(im.resize((48, 36)), 'WEBP', quality=80), 'label': f[1]}) for im, f in zip(pil, files)]
    dataset('webp', [('webp.tfrecord', webp)], dict(image='image', label='label', width=48, height=36, channels=3))

    sniff = [example({'name': f[3], 'blob': encode(im.resize((32, 24)), 'PNG'), 'y': f[1]}) for im, f in zip(pil, files)]
    dataset('sniff', [('data.tfrecord', sniff)], dict(image='blob', label='y', width=32, height=24, channels=3))

    sizes = []
    for i, (im, f) in enumerate(zip(pil, files)):
        w, h = [(320, 240), (160, 120), (200, 200)][i % 3]
        sizes.append(example({'image': encode(im.resize((w, h)), 'JPEG', quality=90), 'label': f[1], 'width': w, 'height': h}))
    dataset('sizes', [('sizes.tfrecord', sizes)], dict(image='image', label='label', width=None, height=None, channels=3))

    # Every image cut short after its header: each record a problem, nothing delivered.
    broken = [example({'image': b[:600], 'label': f[1]}) for b, f in zip(raw, files)]
    dataset('broken', [('broken.tfrecord', broken)], dict(image='image', label='label', width=320, height=240, channels=3))

    # Two images of a hundred cut short: 2% of reads fail.
    onebad = [example({'image': b[:600] if i in (10, 60) else b, 'label': f[1]}) for i, (b, f) in enumerate(zip(raw, files))]
    dataset('twobad', [('twobad.tfrecord', onebad)], dict(image='image', label='label', width=320, height=240, channels=3))

    # Stale indexes: the tfds train shards, each with an index of a different file beside it.
    d = dataset('stale', [(f'photos-train.tfrecord-{i:05d}-of-00002', part) for i, part in enumerate(split(train, 2))],
                dict(image='image', label='label', width=320, height=240, channels=3))
    for i in range(2):
        with open(os.path.join(d, f'photos-train.tfrecord-{i:05d}-of-00002.idx'), 'w') as idx:
            idx.write(''.join(f'{k * 100} 100\n' for k in range(25)))

    # TFX: a missing label is an empty Feature; "weight" is int64 but bytes in records 7, 8, 9.
    tfx = [example({'image': b, 'label': None if i % 10 == 5 else f[1], 'weight': str(i).encode() if i in (7, 8, 9) else i})
           for i, (b, f) in enumerate(zip(raw, files))]
    dataset('tfx', [('data_tfrecord-00000-of-00001', tfx)],
            dict(image='image', label='label', width=320, height=240, channels=3, empty_labels=10, conflict='weight', conflict_first=7))

    # Video as SequenceExamples: 3 frames of 64x48 per record, the label in the context.
    video = []
    for r in range(10):
        frames = [encode(pil[(r * 3 + k) % len(pil)].resize((64, 48)), 'JPEG', quality=85) for k in range(3)]
        video.append(sequence_example({'label': r % 2, 'video/id': f'clip-{r}', 'note': None},
                                      {'image/encoded': frames, 'frame/index': [k for k in range(3)]}))
    dataset('video', [('video.tfrecord', video)], dict(image='image/encoded', label='label', width=64, height=48, channels=3, frames=30))

    # Object Detection API (create_pascal_tf_record.py keys): one class per box, no image/class/label.
    odapi = []
    for i, (im, f) in enumerate(zip(pil, files)):
        boxes = 1 + i % 3
        odapi.append(example({'image/height': 48, 'image/width': 64, 'image/filename': f[3], 'image/source_id': str(i),
                              'image/encoded': encode(im.resize((64, 48)), 'JPEG', quality=85), 'image/format': 'jpeg',
                              'image/object/bbox/xmin': [0.1] * boxes, 'image/object/bbox/xmax': [0.9] * boxes,
                              'image/object/bbox/ymin': [0.2] * boxes, 'image/object/bbox/ymax': [0.8] * boxes,
                              'image/object/class/text': f[2], 'image/object/class/label': [f[1] + 1] * boxes}))
    dataset('odapi', [('test.record', odapi)], dict(image='image/encoded', label='image/object/class/label', width=64, height=48, channels=3))

    # TFDS's data_dir layout: <name>/<version>/ with its sidecars; the dataset is named by <name>.
    d = dataset(os.path.join('nested', 'mnist', '3.0.1'), [('mnist-train.tfrecord-00000-of-00001', grey[:60]), ('mnist-test.tfrecord-00000-of-00001', grey[60:])],
                dict(image='image', label='label', width=28, height=28, channels=1, train=60, test=40))
    json.dump({'name': 'mnist', 'version': '3.0.1', 'splits': [{'name': 'train', 'shardLengths': ['60']}, {'name': 'test', 'shardLengths': ['40']}]},
              open(os.path.join(d, 'dataset_info.json'), 'w'))
    json.dump({'type': 'tensorflow_datasets.core.features.features_dict.FeaturesDict', 'content': {'features': {
        'image': {'type': 'tensorflow_datasets.core.features.image_feature.Image', 'content': {'shape': {'dimensions': ['28', '28', '1']}, 'dtype': 'uint8'}},
        'label': {'type': 'tensorflow_datasets.core.features.class_label_feature.ClassLabel', 'content': {'numClasses': '2'}}}}},
        open(os.path.join(d, 'features.json'), 'w'))
    nested = result.pop(os.path.join('nested', 'mnist', '3.0.1'))
    result['nested'] = dict(nested, dir=os.path.dirname(d), shards_dir=d)

    # A TFDS folder whose dataset_info.json disagrees with its shards: train 81 records said, 80 held.
    d = dataset('tfdsbad', [(f'photos-train.tfrecord-{i:05d}-of-00002', part) for i, part in enumerate(split(train, 2))],
                dict(image='image', label='label', width=320, height=240, channels=3, train=80))
    json.dump({'name': 'photos', 'splits': [{'name': 'train', 'shardLengths': ['40', '41']}]}, open(os.path.join(d, 'dataset_info.json'), 'w'))

    print(json.dumps(result))


if __name__ == '__main__':
    main()

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeExample } from '../../src/tfrecord/example.js';
import { genericFeatures, recordEncoder, type RecordKeys } from '../../src/convert/record.js';
import type { StoredImage } from '../../src/convert/image.js';

const image = (bytes: number, width = 32, height = 24): StoredImage => ({ data: Buffer.alloc(bytes, 7), width, height, channels: 3, format: 'jpeg' });

test('a converted record has the bytes encodeExample gives, for every key set and size', async () => {
  const keySets: RecordKeys[] = [
    { image: 'image', class: 'class', label: 'label' },
    { image: 'image/encoded', class: 'image/class/label', label: 'label' },
    { image: 'image', class: 'label', label: 'class_name' },
    { image: 'zz', class: '0', label: 'é' },
    { image: 'filename', class: 'class', label: 'label' }, // colliding keys: the generic encoder's result
  ];
  const files = [
    { rel: 'cat/1.jpg', label: 0, className: 'cat' },
    { rel: 'chat/été/ü.jpg', label: 127, className: 'chat' },
    { rel: 'x'.repeat(300), label: 2 ** 40, className: '' },
    { rel: 'neg.jpg', label: -1, className: 'neg' },
  ];
  for (const keys of keySets) {
    const encode = await recordEncoder(keys);
    for (const file of files) {
      for (const img of [image(0), image(100), image(200_000, 16384, 1), { ...image(5), format: 'png' as const }]) {
        assert.deepEqual(encode(img, file), Buffer.from(encodeExample(genericFeatures(keys, img, file))), `${JSON.stringify(keys)} ${file.rel.slice(0, 20)} ${img.data.length}`);
      }
    }
  }
});

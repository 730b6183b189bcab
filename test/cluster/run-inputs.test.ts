import assert from 'node:assert/strict';
import { test } from 'node:test';
import { outsideInputs, runInputs } from '../../src/cluster/run-inputs.js';

test("a run's inputs: the folders of its images, none inside another; objects as prefixes ending in /", () => {
  assert.deepEqual(runInputs(['/data/flowers/daisy/a.jpg', '/data/flowers/daisy/b.jpg', '/data/flowers/rose/c.jpg']), ['/data/flowers/daisy', '/data/flowers/rose']);
  // An image list naming files at several depths: the folder holding others covers them.
  assert.deepEqual(runInputs(['/data/list/a.jpg', '/data/list/sub/b.jpg', '/elsewhere/c.png']), ['/data/list', '/elsewhere']);
  assert.deepEqual(runInputs(['s3://bkt/in/cats/1.jpg', 's3://bkt/in/dogs/2.jpg', 'gs://gcs/top.jpg', '/local/x.jpg']), ['/local', 'gs://gcs/', 's3://bkt/in/cats/', 's3://bkt/in/dogs/']);
  // A sibling whose name starts like another folder is not inside it.
  assert.deepEqual(runInputs(['/data/in/a.jpg', '/data/in-other/b.jpg']), ['/data/in', '/data/in-other']);
});

test('past the limit, the inputs of each bucket (and of the disk) merge into their common folder', () => {
  const paths = [...Array.from({ length: 5 }, (_, i) => `/data/set/c${i}/x.jpg`), ...Array.from({ length: 5 }, (_, i) => `s3://bkt/in/c${i}/x.jpg`), 's3://other/p/q/x.jpg'];
  assert.deepEqual(runInputs(paths, 4), ['/data/set', 's3://bkt/in/', 's3://other/p/q/']);
  assert.deepEqual(runInputs(['/a/x.jpg', '/b/y.jpg', '/c/z.jpg'], 2), ['/']);
});

test('a path is inside the inputs only when it is below one of them, spelled plainly', () => {
  const inputs = ['/data/flowers/daisy', 's3://bkt/in/cats/'];
  assert.equal(outsideInputs('/data/flowers/daisy/a.jpg', inputs), undefined);
  assert.equal(outsideInputs('/data/flowers/daisy/sub/a.jpg', inputs), undefined);
  assert.equal(outsideInputs('s3://bkt/in/cats/1.jpg', inputs), undefined);
  assert.equal(outsideInputs('s3://bkt/in/cats/a b+ü/..1.jpg', inputs), undefined, 'a key with .. inside a segment name is an ordinary key');
  for (const path of ['/etc/passwd', '/data/flowers/daisy/../rose/a.jpg', '/data/flowers/daisy-x/a.jpg', '/data/flowers/daisy', '/data/flowers/daisy//a.jpg', 's3://bkt/in/dogs/1.jpg', 's3://bkt/in/cats/', 's3://cbk/in/cats/1.jpg', 'gs://bkt/in/cats/1.jpg']) {
    assert.match(outsideInputs(path, inputs) ?? 'inside', /outside the run's input/, path);
  }
  assert.match(outsideInputs('s3://bkt/in/cats/../../secret/k.jpg', inputs)!, /"\." or "\.\." segment/);
  assert.match(outsideInputs('s3://bkt/in/cats/./k.jpg', inputs)!, /segment/);
  assert.match(outsideInputs('relative/a.jpg', inputs)!, /not an absolute path/);
  assert.match(outsideInputs('s3://B!/x.jpg', inputs)!, /valid bucket name/);
});

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { crc32c, crc32cImplementation, crc32cPortable, maskCrc, maskedCrc32c } from '../../src/tfrecord/crc32c.js';

test('CRC32C check value of "123456789" is 0xe3069283, native and portable', () => {
  const data = Buffer.from('123456789');
  assert.equal(crc32c(data), 0xe3069283);
  assert.equal(crc32cPortable(data), 0xe3069283);
});

test('the native CRC32C is the one in use (the hardware path really loads)', () => {
  assert.equal(crc32cImplementation, 'native');
});

test('portable and native agree on random data of every length up to 300, and continue a CRC', () => {
  for (let n = 0; n <= 300; n++) {
    const data = randomBytes(n);
    assert.equal(crc32cPortable(data), crc32c(data), `length ${n}`);
  }
  const a = randomBytes(1000);
  assert.equal(crc32cPortable(a.subarray(300), crc32cPortable(a.subarray(0, 300))), crc32c(a));
});

test('known vectors: 32 zero bytes and 32 0xff bytes (RFC 3720 B.4)', () => {
  assert.equal(crc32cPortable(Buffer.alloc(32)), 0x8a9136aa);
  assert.equal(crc32cPortable(Buffer.alloc(32, 0xff)), 0x62a8ab43);
});

test('mask rotates right 15 and adds 0xa282ead8 (mod 2^32)', () => {
  assert.equal(maskCrc(0), 0xa282ead8);
  assert.equal(maskCrc(0xffffffff), (0xffffffff + 0xa282ead8) % 2 ** 32);
  assert.equal(maskedCrc32c(Buffer.alloc(0)), 0xa282ead8);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { SigV4Signer, UNSIGNED_PAYLOAD } from '../../src/storage/sigv4.js';
import { encodeKey } from '../../src/storage/fast-get.js';

/** The hash constructor the SDK's signer takes (as @smithy/hash-node's, over node:crypto). */
class Sha256 {
  private hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {}
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  return data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

const EXAMPLE = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

test("AWS's documented example (GET Object with a range) gets its documented signature", () => {
  // https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html, "GET Object".
  const emptyHash = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
  const signed = new SigV4Signer('us-east-1').signGet(EXAMPLE, 'examplebucket.s3.amazonaws.com', '/test.txt', 'bytes=0-9', new Date('2013-05-24T00:00:00Z'), emptyHash);
  assert.equal(
    signed.headers.authorization,
    'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
  );
  assert.equal(signed.headers['x-amz-date'], '20130524T000000Z');
});

test("the same signature as the SDK's signer: keys with spaces, +, unicode; a session token; days apart with one signer", async () => {
  const signer = new SigV4Signer('eu-west-3');
  for (const [key, range, token, when] of [
    ['images/a b+c/ünï code.jpg', undefined, undefined, '2026-11-30T14:00:00Z'],
    ['x/(1)!*\'.png', 'bytes=10-', 'FwoGZXIvYXdzEXAMPLETOKEN', '2026-12-01T00:00:01Z'],
    ['..', 'bytes=0-99', undefined, '2026-11-29T23:59:59Z'],
  ] as const) {
    const credentials = { ...EXAMPLE, ...(token ? { sessionToken: token } : {}) };
    const path = `/bucket/${encodeKey(key)}`;
    const now = new Date(when);
    const ours = signer.signGet(credentials, '127.0.0.1:7480', path, range, now);
    const sdk = await new SignatureV4({ credentials, region: 'eu-west-3', service: 's3', sha256: Sha256, uriEscapePath: false, applyChecksum: false }).sign(
      { method: 'GET', protocol: 'http:', hostname: '127.0.0.1', port: 7480, path, query: {}, headers: { host: '127.0.0.1:7480', 'x-amz-content-sha256': UNSIGNED_PAYLOAD, ...(range ? { range } : {}) } },
      { signingDate: now },
    );
    assert.equal(ours.headers.authorization, sdk.headers.authorization, key);
    if (token) assert.equal(ours.headers['x-amz-security-token'], token);
  }
});

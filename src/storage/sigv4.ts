/**
 * AWS Signature Version 4 for one bodiless request (a GET of an object), synchronous, with the
 * signing key derived once per day, region and key pair. `@smithy/signature-v4` does the same
 * through four awaited hash objects per step and re-hashes the secret on every request to look up
 * its key cache: about a tenth of a millisecond of CPU per GET, which on a machine whose cores the
 * object server shares is requests not served. The algorithm:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 * test/storage/sigv4.test.ts checks it against AWS's documented example and against the SDK's signer.
 */
import { createHash, createHmac } from 'node:crypto';

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignedGet {
  /** `host`, `x-amz-date`, `x-amz-content-sha256`, the token and range when given, `authorization`. */
  headers: Record<string, string>;
}

/** The payload hash S3 accepts for a request whose body is not signed (a GET has none). */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

export class SigV4Signer {
  private key?: { day: string; value: Buffer; credentials: SigningCredentials };

  constructor(
    private readonly region: string,
    private readonly service = 's3',
  ) {}

  /**
   * Headers for `GET path` (already URI-encoded, as sent) on `host`. `now` and `payloadHash` are
   * for tests (AWS's example signs the empty body's hash); S3 reads take UNSIGNED-PAYLOAD.
   */
  signGet(
    credentials: SigningCredentials,
    host: string,
    path: string,
    range: string | undefined,
    now: Date = new Date(),
    payloadHash: string = UNSIGNED_PAYLOAD,
  ): SignedGet {
    // 2013-05-24T00:00:00.000Z -> 20130524T000000Z
    const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const day = amzDate.slice(0, 8);
    // Canonical headers in the order of their (lower-case) names.
    const headers: [string, string][] = [['host', host]];
    if (range) headers.push(['range', range]);
    headers.push(['x-amz-content-sha256', payloadHash], ['x-amz-date', amzDate]);
    if (credentials.sessionToken) headers.push(['x-amz-security-token', credentials.sessionToken]);
    const signedHeaders = headers.map(([name]) => name).join(';');
    const canonical = `GET\n${path}\n\n${headers.map(([name, value]) => `${name}:${value.trim()}\n`).join('')}\n${signedHeaders}\n${payloadHash}`;
    const scope = `${day}/${this.region}/${this.service}/aws4_request`;
    const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`;
    const signature = createHmac('sha256', this.signingKey(credentials, day)).update(toSign).digest('hex');
    const out: Record<string, string> = Object.fromEntries(headers);
    out.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return { headers: out };
  }

  /** HMAC chain secret -> day -> region -> service -> "aws4_request", kept while the day and keys stay. */
  private signingKey(credentials: SigningCredentials, day: string): Buffer {
    const cached = this.key;
    const same = cached?.credentials.accessKeyId === credentials.accessKeyId && cached.credentials.secretAccessKey === credentials.secretAccessKey;
    if (cached && same && cached.day === day) return cached.value;
    const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
    const value = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), this.region), this.service), 'aws4_request');
    this.key = { day, value, credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey } };
    return value;
  }
}

/**
 * GET of one object without the SDK's middleware stack: the request signed by the SDK's own SigV4
 * signer (`@smithy/signature-v4`, the client's credentials, region and hash) and sent on a
 * keep-alive agent. Measured here on the test gateway, the SDK spends about 4 ms of CPU per GET in
 * endpoint resolution, serialisation and middleware, which caps a 2-core machine near boto3's
 * rate; image datasets are thousands of small GETs. Only success is handled here: any other
 * status returns undefined and the caller repeats the request through the SDK, whose error carries
 * the server's code (NoSuchKey, AccessDenied...) for src/storage/storage-errors.ts.
 */
import { request as httpRequest, type Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https';
import type { S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { STORAGE_DEFAULTS } from '../options/storage.js';

/** S3's URI encoding of a key: every byte but unreserved characters and "/" percent-encoded. */
export function encodeKey(key: string): string {
  return key.split('/').map((part) => encodeURIComponent(part).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/');
}

export interface FastResponse {
  size: number;
  body: IncomingMessage;
}

export class FastGet {
  private signer?: SignatureV4;

  constructor(
    private readonly client: S3Client,
    private readonly endpoint: string | undefined,
    private readonly bucket: string,
    private readonly agents: { http: HttpAgent; https: HttpsAgent },
  ) {}

  private async target(key: string): Promise<{ protocol: string; hostname: string; port?: number; path: string }> {
    if (this.endpoint) {
      const url = new URL(this.endpoint);
      return { protocol: url.protocol, hostname: url.hostname, port: url.port ? Number(url.port) : undefined, path: `/${this.bucket}/${encodeKey(key)}` };
    }
    const region = await this.client.config.region();
    return { protocol: 'https:', hostname: `${this.bucket}.s3.${region}.amazonaws.com`, path: `/${encodeKey(key)}` };
  }

  /** The object (or a range) when the server answers 200 / 206; undefined for any other status. */
  async get(key: string, range: string | undefined): Promise<FastResponse | undefined> {
    const config = this.client.config;
    this.signer ??= new SignatureV4({ credentials: config.credentials, region: config.region, service: 's3', sha256: config.sha256, uriEscapePath: false, applyChecksum: false });
    const target = await this.target(key);
    const host = target.port ? `${target.hostname}:${target.port}` : target.hostname;
    const signed = await this.signer.sign({
      method: 'GET', protocol: target.protocol, hostname: target.hostname, port: target.port, path: target.path, query: {},
      headers: { host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...(range ? { range } : {}) },
    });
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const agent = target.protocol === 'https:' ? this.agents.https : this.agents.http;
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = send({ method: 'GET', host: target.hostname, port: target.port, path: target.path, headers: signed.headers, agent }, resolve);
      req.setTimeout(STORAGE_DEFAULTS.requestTimeoutMs, () => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end();
    });
    const status = response.statusCode ?? 0;
    if (status !== 200 && status !== 206) {
      response.resume();
      return undefined;
    }
    const total = /\/(\d+)$/.exec(String(response.headers['content-range'] ?? ''))?.[1];
    return { size: total !== undefined ? Number(total) : Number(response.headers['content-length'] ?? 0), body: response };
  }
}

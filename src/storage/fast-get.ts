/**
 * GET of one object without the SDK's middleware stack: the request signed by our own SigV4
 * (sigv4.ts: synchronous, its signing key derived once a day) with the client's credentials and
 * region, and sent on a keep-alive agent. Measured here on the test gateway, the SDK spends about
 * 4 ms of CPU per GET in endpoint resolution, serialisation and middleware; this path about 0.3 ms
 * (bench/object-storage.ts: `cpuSecondsPer1000Gets`). On a machine whose cores the object server
 * shares, CPU a reader does not spend is requests the server answers; image datasets are thousands
 * of small GETs. Only success is handled here: any other status returns undefined and the caller
 * repeats the request through the SDK, whose error carries the server's code (NoSuchKey,
 * AccessDenied...) for src/storage/storage-errors.ts.
 */
import { request as httpRequest, type Agent as HttpAgent, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https';
import type { S3Client } from '@aws-sdk/client-s3';
import { STORAGE_DEFAULTS } from '../options/storage.js';
import { SigV4Signer, type SigningCredentials } from './sigv4.js';

/** S3's URI encoding of a key: every byte but unreserved characters and "/" percent-encoded. */
export function encodeKey(key: string): string {
  return key.split('/').map((part) => encodeURIComponent(part).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/');
}

export interface FastResponse {
  size: number;
  body: IncomingMessage;
}

/** Where this bucket's GETs go: fixed for the store's life once the region is known. */
interface Target {
  https: boolean;
  hostname: string;
  port?: number;
  /** The Host header (with the port when one is given). */
  host: string;
  /** Path up to the key: `/bucket/` (path-style, a configured endpoint) or `/` (virtual-hosted, AWS). */
  prefix: string;
  signer: SigV4Signer;
}

/** Credentials that expire (an instance role's, SSO) are fetched again this long before they do. */
const CREDENTIALS_MARGIN_MS = 5 * 60_000;

export class FastGet {
  private target?: Target;
  private credentials?: SigningCredentials & { expiration?: Date };

  constructor(
    private readonly client: S3Client,
    private readonly endpoint: string | undefined,
    private readonly bucket: string,
    private readonly agents: { http: HttpAgent; https: HttpsAgent },
  ) {}

  /** The target and credentials, resolved on the first GET and when the credentials near their expiry. */
  private async resolve(): Promise<void> {
    const config = this.client.config;
    if (!this.target) {
      const region = await config.region();
      const signer = new SigV4Signer(region);
      if (this.endpoint) {
        const url = new URL(this.endpoint);
        const port = url.port ? Number(url.port) : undefined;
        this.target = { https: url.protocol === 'https:', hostname: url.hostname, port, host: url.host, prefix: `/${this.bucket}/`, signer };
      } else {
        const hostname = `${this.bucket}.s3.${region}.amazonaws.com`;
        this.target = { https: true, hostname, host: hostname, prefix: '/', signer };
      }
    }
    this.credentials = await config.credentials();
  }

  private fresh(): boolean {
    const expiration = this.credentials?.expiration;
    if (this.target === undefined || this.credentials === undefined) return false;
    return expiration === undefined || expiration.getTime() - Date.now() > CREDENTIALS_MARGIN_MS;
  }

  /** The object (or a range) when the server answers 200 / 206; undefined for any other status. */
  async get(key: string, range: string | undefined): Promise<FastResponse | undefined> {
    // Awaited only on the first GET and near the credentials' expiry: a settled await per GET is CPU too.
    if (!this.fresh()) await this.resolve();
    const target = this.target!;
    const path = target.prefix + encodeKey(key);
    const { headers } = target.signer.signGet(this.credentials!, target.host, path, range);
    const options: RequestOptions = {
      method: 'GET', host: target.hostname, port: target.port, path, headers, agent: target.https ? this.agents.https : this.agents.http,
    };
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = (target.https ? httpsRequest : httpRequest)(options, resolve);
      req.setTimeout(STORAGE_DEFAULTS.requestTimeoutMs, () => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end();
    });
    const status = response.statusCode ?? 0;
    if (status !== 200 && status !== 206) {
      response.resume();
      return undefined;
    }
    const total = status === 206 ? /\/(\d+)$/.exec(String(response.headers['content-range'] ?? ''))?.[1] : undefined;
    return { size: total !== undefined ? Number(total) : Number(response.headers['content-length'] ?? 0), body: response };
  }
}

/**
 * A loopback stand-in for the monitoring server's sensor endpoints, for the agent's tests: it keeps
 * the contract of shared/src/ingest.ts (gzip NDJSON batches, dedupe by seq, 401/403/400/413/429
 * answers, heartbeats, the signed bundle with ETag) and lets a test break it on purpose (down, slow,
 * refusing a credential, answering 5xx or 429).
 */
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { INGEST_LIMITS, SensorEvent, SensorHeartbeat } from '@otasuke/shared';
import type { BundleContent, IngestRejection } from '@otasuke/shared';

export interface IngestTestServer {
  url: string;
  port: number;
  /** Stored events by seq (first copy wins, as the real server's unique key). */
  stored: Map<number, SensorEvent>;
  /** How many times each seq arrived (duplicates included). */
  arrivals: Map<number, number>;
  heartbeats: SensorHeartbeat[];
  requests: { method: string; path: string; status: number; events?: number }[];
  /** Credentials accepted; anything else answers 401. */
  credentials: Set<string>;
  revoked: Set<string>;
  /** Answer the next batches with these statuses (and Retry-After when given) before working. */
  failNext: { status: number; retryAfter?: string }[];
  /** A batch holding one of these seqs is answered 400 as a whole (a malformed event). */
  poisonSeqs: Set<number>;
  /** Destroy every connection instead of answering (the server process is gone). */
  down: boolean;
  /** Wait this long before answering a batch (a slow server: uploads are in flight longer). */
  delayMs: number;
  /** Batches received and not answered yet. */
  inFlight: number;
  setBundle(bundle: BundleContent | null, options?: { corruptSignature?: boolean; rawBody?: Buffer }): void;
  publicKeyPem: string;
  privateKey: KeyObject;
  close(): Promise<void>;
}

export async function startIngestTestServer(options: { port?: number; credentials?: string[]; tls?: { key: string | Buffer; cert: string | Buffer } } = {}): Promise<IngestTestServer> {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  let bundle: { body: Buffer; etag: string; signature: string } | null = null;
  const sockets = new Set<Socket>();

  const state: IngestTestServer = {
    url: '',
    port: 0,
    stored: new Map(),
    arrivals: new Map(),
    heartbeats: [],
    requests: [],
    credentials: new Set(options.credentials ?? ['ots_test']),
    revoked: new Set(),
    failNext: [],
    poisonSeqs: new Set(),
    down: false,
    delayMs: 0,
    inFlight: 0,
    publicKeyPem,
    privateKey,
    setBundle(content, opts = {}) {
      if (content === null) {
        bundle = null;
        return;
      }
      const body = opts.rawBody ?? gzipSync(Buffer.from(JSON.stringify(content)));
      const signature = sign(null, opts.corruptSignature ? Buffer.concat([body, Buffer.from('x')]) : body, privateKey).toString('base64');
      bundle = { body, etag: `"${content.version}"`, signature };
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const answer = (res: ServerResponse, req: IncomingMessage, status: number, body?: unknown, headers: Record<string, string> = {}, events?: number): void => {
    state.requests.push({ method: req.method ?? '', path: req.url ?? '', status, ...(events !== undefined ? { events } : {}) });
    const text = body === undefined ? undefined : JSON.stringify(body);
    res.writeHead(status, { ...(text !== undefined ? { 'content-type': 'application/json' } : {}), ...headers });
    res.end(text);
  };
  const error = (code: string, message: string, reason?: string) => ({ error: { code, message, ...(reason ? { details: { reason } } : {}) }, requestId: 'test' });

  const handle = (req: IncomingMessage, res: ServerResponse, raw: Buffer): void => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const path = (req.url ?? '').split('?')[0];
    if (path === '/api/v1/bundles/public-key' && req.method === 'GET') return answer(res, req, 200, { publicKey: publicKeyPem });
    if (state.revoked.has(token)) return answer(res, req, 403, error('forbidden', 'sensor revoked', 'sensor_revoked'));
    if (!state.credentials.has(token)) return answer(res, req, 401, error('unauthenticated', 'bad credential'));

    if (path === '/api/v1/ingest/events' && req.method === 'POST') {
      const fail = state.failNext.shift();
      if (fail !== undefined) return answer(res, req, fail.status, error('unavailable', 'try later'), fail.retryAfter !== undefined ? { 'retry-after': fail.retryAfter } : {});
      if (raw.length > INGEST_LIMITS.maxBatchBytes) return answer(res, req, 413, error('too_large', 'batch too large'));
      let text: string;
      try {
        text = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
      } catch {
        return answer(res, req, 400, error('bad_request', 'not gzip'));
      }
      const lines = text.split('\n').filter((l) => l !== '');
      if (lines.length > INGEST_LIMITS.maxEventsPerBatch) return answer(res, req, 413, error('too_large', 'too many events'));
      const parsed = lines.map((l) => {
        try {
          return JSON.parse(l) as unknown;
        } catch {
          return undefined;
        }
      });
      if (parsed.some((p) => state.poisonSeqs.has((p as { seq?: number } | undefined)?.seq ?? -1))) {
        return answer(res, req, 400, error('bad_request', 'malformed event', 'invalid_event'), {}, lines.length);
      }
      let accepted = 0;
      let duplicates = 0;
      const rejected: IngestRejection[] = [];
      parsed.forEach((p, i) => {
        const event = SensorEvent.safeParse(p);
        if (!event.success) {
          rejected.push({ line: i + 1, reason: event.error.issues[0]?.message ?? 'invalid' });
          return;
        }
        const seq = event.data.seq;
        state.arrivals.set(seq, (state.arrivals.get(seq) ?? 0) + 1);
        if (state.stored.has(seq)) duplicates++;
        else {
          state.stored.set(seq, event.data);
          accepted++;
        }
      });
      return answer(res, req, 200, { accepted, duplicates, rejected, suppressed: 0 }, {}, lines.length);
    }
    if (path === '/api/v1/sensors/me/heartbeat' && req.method === 'POST') {
      const hb = SensorHeartbeat.safeParse(JSON.parse(raw.toString('utf8') || 'null'));
      if (!hb.success) return answer(res, req, 400, error('bad_request', hb.error.message));
      state.heartbeats.push(hb.data);
      return answer(res, req, 204);
    }
    if (path === '/api/v1/sensors/me/bundle' && req.method === 'GET') {
      if (bundle === null) return answer(res, req, 404, error('not_found', 'no bundle yet'));
      const offered = (req.headers['if-none-match'] ?? '').split(',').map((t) => t.trim());
      if (offered.includes(bundle.etag)) return answer(res, req, 304, undefined, { etag: bundle.etag });
      state.requests.push({ method: 'GET', path, status: 200 });
      res.writeHead(200, { 'content-type': 'application/gzip', etag: bundle.etag, 'x-otasuke-signature': bundle.signature });
      res.end(bundle.body);
      return;
    }
    return answer(res, req, 404, error('not_found', 'no such route'));
  };

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    if (state.down) {
      req.socket.destroy();
      return;
    }
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const ingest = req.url?.startsWith('/api/v1/ingest/') === true;
      if (ingest) state.inFlight++;
      const work = (): void => {
        if (ingest) state.inFlight--;
        if (state.down) {
          req.socket.destroy();
          return;
        }
        try {
          handle(req, res, Buffer.concat(parts));
        } catch (e) {
          answer(res, req, 500, error('internal', (e as Error).message));
        }
      };
      if (state.delayMs > 0 && ingest) setTimeout(work, state.delayMs);
      else work();
    });
  };
  const server: Server = options.tls !== undefined ? createTlsServer(options.tls, listener) : createServer(listener);
  server.on(options.tls !== undefined ? 'secureConnection' : 'connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  state.url = `${options.tls !== undefined ? 'https' : 'http'}://127.0.0.1:${state.port}`;
  return state;
}

/** An EVE alert record as the detection stage writes it (for tests that do not run detection). */
export function sampleAlertRecord(n: number, severity: 1 | 2 | 3 = 2) {
  return {
    timestamp: `2026-11-26T03:00:${String(n % 60).padStart(2, '0')}.000000+0000`,
    flow_id: 1000 + n,
    event_type: 'alert' as const,
    src_ip: '192.168.1.10',
    src_port: 40000 + (n % 20000),
    dest_ip: '198.51.100.7',
    dest_port: 80,
    proto: 'TCP',
    app_proto: 'http',
    alert: {
      action: 'allowed',
      gid: 1,
      signature_id: 9_000_000 + n,
      rev: 1,
      signature: `TEST alert ${n}`,
      category: 'Test',
      severity,
      metadata: { otasuke_direction: ['outbound'], otasuke_engine: ['rule'], otasuke_explain: ['rule.test'] },
    },
    http: { hostname: 'example.test', url: `/n/${n}`, http_method: 'GET' },
  };
}

/**
 * Reading one ingest batch: the request body (gzip or plain NDJSON) becomes validated sensor events
 * plus a rejection per bad line. Pure except for zlib; every size is bounded before it is paid for,
 * so a gzip bomb or a megabyte-long line costs the server nothing more than the limit.
 */
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { INGEST_LIMITS, SensorEvent, type IngestRejection } from '@otasuke/shared';
import { AppError, BadRequestError } from '../http/errors.ts';

const gunzipAsync = promisify(gunzip);

/** A batch may expand to this much text. Real batches compress ~10×, so 4 MiB of gzip fits; a bomb stops here. */
export const MAX_DECOMPRESSED_BATCH_BYTES = 48 * 1024 * 1024;

export class BatchTooLargeError extends AppError {
  constructor(message: string) {
    super('payload_too_large', 413, message);
  }
}

/** One valid line: the event and the line it came from. */
export interface BatchEvent {
  line: number;
  event: SensorEvent;
}

export interface ReadBatch {
  events: BatchEvent[];
  rejected: IngestRejection[];
}

const GZIP_MAGIC = [0x1f, 0x8b];

function looksGzipped(body: Buffer): boolean {
  return body.length >= 2 && body[0] === GZIP_MAGIC[0] && body[1] === GZIP_MAGIC[1];
}

/** The body as text: gunzipped when the sensor says so (or the bytes show it), UTF-8 checked. */
export async function decodeBatchBody(body: Buffer, contentEncoding: string | undefined): Promise<string> {
  if (body.length === 0) throw new BadRequestError('the batch is empty: send gzip NDJSON, one SensorEvent per line');
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  if (encoding !== '' && encoding !== 'identity' && encoding !== 'gzip') {
    throw new AppError('unsupported_media_type', 415, `Content-Encoding "${encoding}" is not supported; send gzip or an uncompressed body`);
  }
  let text: Buffer = body;
  if (encoding === 'gzip' || looksGzipped(body)) {
    if (!looksGzipped(body)) throw new BadRequestError('Content-Encoding says gzip but the body is not gzip data');
    try {
      text = await gunzipAsync(body, { maxOutputLength: MAX_DECOMPRESSED_BATCH_BYTES });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
        throw new BatchTooLargeError(`the batch expands to more than ${MAX_DECOMPRESSED_BATCH_BYTES} bytes; send fewer events per batch`);
      }
      throw new BadRequestError('the gzip body is corrupt or truncated; send the whole batch again');
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(text);
  } catch {
    throw new BadRequestError('the batch is not UTF-8 text; send NDJSON, one SensorEvent per line');
  }
}

function describeIssues(error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.map(String).join('.') : '(event)'}: ${issue.message}`)
    .join('; ');
}

/**
 * Splits NDJSON text into valid events and rejected lines (line numbers count from 1 and include
 * blank lines, so they match the sender's file). A body in which no line is JSON is not NDJSON at
 * all and fails as a whole; otherwise one bad line never costs the others.
 */
export function parseBatchText(text: string, limits: { maxEvents: number; maxEventBytes: number } = { maxEvents: INGEST_LIMITS.maxEventsPerBatch, maxEventBytes: INGEST_LIMITS.maxEventBytes }): ReadBatch {
  const lines = text.split('\n');
  let nonBlank = 0;
  for (const line of lines) if (line.trim() !== '') nonBlank++;
  if (nonBlank === 0) throw new BadRequestError('the batch has no events: send NDJSON, one SensorEvent per line');
  if (nonBlank > limits.maxEvents) throw new BatchTooLargeError(`the batch has ${nonBlank} events; at most ${limits.maxEvents} are allowed per batch`);

  const events: BatchEvent[] = [];
  const rejected: IngestRejection[] = [];
  let jsonLines = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const lineNo = i + 1;
    if (raw.trim() === '') continue;
    // Characters ≤ bytes; only a long line pays for the byte count.
    if (raw.length > limits.maxEventBytes || (raw.length * 3 > limits.maxEventBytes && Buffer.byteLength(raw) > limits.maxEventBytes)) {
      rejected.push({ line: lineNo, reason: `the line is longer than ${limits.maxEventBytes} bytes` });
      // Too long to read is not evidence that the body isn't NDJSON.
      jsonLines++;
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      rejected.push({ line: lineNo, reason: 'the line is not JSON' });
      continue;
    }
    jsonLines++;
    const parsed = SensorEvent.safeParse(value);
    if (parsed.success) {
      events.push({ line: lineNo, event: parsed.data });
    } else {
      const seq = typeof value === 'object' && value !== null && Number.isSafeInteger((value as { seq?: unknown }).seq) ? ((value as { seq: number }).seq) : undefined;
      rejected.push({ line: lineNo, ...(seq === undefined ? {} : { seq }), reason: describeIssues(parsed.error) });
    }
  }
  if (jsonLines === 0) throw new BadRequestError('the batch is not NDJSON: no line is a JSON object; send one SensorEvent per line');
  return { events, rejected };
}

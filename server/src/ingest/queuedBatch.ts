/**
 * A validated batch as JetStream messages. A message must fit the server's max_payload (1 MiB by
 * default) while a batch may be several MiB, so a batch becomes one or more messages, cut at event
 * boundaries. Each carries a `Nats-Msg-Id` of sensor + first-last seq, so a batch published again
 * (the ack was lost, the sensor re-sent it within the dedupe window) is stored once by JetStream;
 * anything older is resolved by the table's unique key.
 *
 * Body: line 1 is the header (whose batch), then one validated SensorEvent per line (re-serialized,
 * so only fields the schema knows travel).
 */
import type { SensorEvent } from '@otasuke/shared';
import type { QueuedBatch } from './alertStore.ts';

interface QueuedHeader {
  v: 1;
  sensorId: string;
  organizationId: string;
  /** Absent in messages queued before it was added: the worker looks the site up. */
  siteId?: string;
  rejected: number;
}

export interface QueuedMessage {
  msgId: string | undefined;
  data: Uint8Array;
}

const encoder = new TextEncoder();

export function encodeQueuedBatch(batch: QueuedBatch, maxMessageBytes: number): QueuedMessage[] {
  const header = (rejected: number) =>
    JSON.stringify({ v: 1, sensorId: batch.sensorId, organizationId: batch.organizationId, ...(batch.siteId ? { siteId: batch.siteId } : {}), rejected } satisfies QueuedHeader);
  if (batch.events.length === 0) {
    // Only rejected lines: counted once per publish (no id — nothing to store twice).
    return [{ msgId: undefined, data: encoder.encode(header(batch.rejected)) }];
  }
  const messages: QueuedMessage[] = [];
  let lines: string[] = [];
  let bytes = 0;
  let first = 0;
  const flush = (end: number) => {
    const events = batch.events;
    const text = [header(messages.length === 0 ? batch.rejected : 0), ...lines].join('\n');
    messages.push({ msgId: `${batch.sensorId}:${events[first]!.seq}-${events[end - 1]!.seq}`, data: encoder.encode(text) });
    lines = [];
    bytes = 0;
    first = end;
  };
  // Room for the header line (uuids and a count) on every message.
  const budget = maxMessageBytes - 200;
  batch.events.forEach((event, i) => {
    const line = JSON.stringify(event);
    const size = Buffer.byteLength(line) + 1;
    if (lines.length > 0 && bytes + size > budget) flush(i);
    lines.push(line);
    bytes += size;
  });
  flush(batch.events.length);
  return messages;
}

const decoder = new TextDecoder();

/** The inverse of encodeQueuedBatch for one message (its events were validated before publishing). */
export function decodeQueuedBatch(data: Uint8Array): QueuedBatch {
  const lines = decoder.decode(data).split('\n');
  const header = JSON.parse(lines[0]!) as QueuedHeader;
  if (header.v !== 1 || typeof header.sensorId !== 'string' || typeof header.organizationId !== 'string') {
    throw new Error('not an ingest batch message (unknown header)');
  }
  const events: SensorEvent[] = [];
  for (let i = 1; i < lines.length; i++) if (lines[i]) events.push(JSON.parse(lines[i]!) as SensorEvent);
  return { sensorId: header.sensorId, organizationId: header.organizationId, ...(typeof header.siteId === 'string' ? { siteId: header.siteId } : {}), rejected: header.rejected, events };
}

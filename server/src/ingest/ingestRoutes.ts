import { INGEST_LIMITS, IngestResult } from '@otasuke/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { sensorOf } from '../http/accessGuard.ts';
import type { Services } from '../http/services.ts';

/** The batch is read as raw bytes (gzip or not); the service decodes it within its own limits. */
const BATCH_TYPES = ['application/x-ndjson', 'application/jsonl', 'application/gzip', 'application/octet-stream'];

export function ingestRoutes({ ingest }: Services): FastifyPluginAsyncZod {
  return async (app) => {
    // Encapsulated: these parsers apply to this plugin's route only.
    app.addContentTypeParser(BATCH_TYPES, { parseAs: 'buffer', bodyLimit: INGEST_LIMITS.maxBatchBytes }, (_request, body, done) => done(null, body));
    app.post(
      '/ingest/events',
      {
        config: { access: { sensor: true } },
        bodyLimit: INGEST_LIMITS.maxBatchBytes,
        // After the guard (global onRequest): a sensor over its rate is refused before its body is read.
        onRequest: async (request) => ingest.admit(sensorOf(request)),
        schema: {
          tags: ['ingest'],
          summary: `A batch of sensor events: gzip NDJSON (Content-Encoding: gzip, Content-Type: application/x-ndjson), one SensorEvent per line, at most ${INGEST_LIMITS.maxEventsPerBatch} events and ${INGEST_LIMITS.maxBatchBytes} bytes compressed`,
          description:
            'Every line is accepted (new), a duplicate of an event already stored (same sensor and seq), or rejected with its line number and reason; all three are final. ' +
            'In scale mode (NATS JetStream) accepted counts queued events and duplicates are counted later, in the sensor\'s ingest counters.',
          security: [{ sensorCredential: [] }],
          response: { 200: IngestResult },
        },
      },
      async (request) => ingest.ingest(sensorOf(request), request.body as Buffer, headerValue(request.headers['content-encoding'])),
    );
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

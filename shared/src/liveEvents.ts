/**
 * Live events of the console (`GET /api/v1/events`, server-sent events): what changed about an
 * incident the reader may see, small enough to decide whether to refetch the queue.
 */
import { z } from 'zod';
import { IncidentPriority, IncidentStatus } from './incidents.ts';

export const liveIncidentEventTypes = ['incident.created', 'incident.updated'] as const;

export const LiveIncidentEvent = z
  .object({
    type: z.enum(liveIncidentEventTypes),
    id: z.uuid().describe('the incident'),
    subscriber: z.object({ id: z.uuid(), name: z.string() }).describe('the subscriber the incident belongs to'),
    priority: IncidentPriority,
    status: IncidentStatus,
    alertCount: z.number().int(),
    customerAcknowledgedAt: z.iso.datetime({ offset: true }).nullable().describe('when the subscriber acknowledged it (mail link or portal)'),
    changedAt: z.iso.datetime({ offset: true }).describe('the incident\'s last change (or the acknowledgement, when later)'),
  })
  .meta({ id: 'LiveIncidentEvent' });
export type LiveIncidentEvent = z.infer<typeof LiveIncidentEvent>;

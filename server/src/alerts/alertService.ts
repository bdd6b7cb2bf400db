/** The alerts API: operator staff see every tenant's alerts, everyone else only their own organization's. */
import type { AlertPage, AlertQuery, SensorIngestCounters } from '@otasuke/shared';
import { tenantFilterOf, type AccessScope } from '../access/accessScope.ts';
import { BadRequestError, NotFoundError } from '../http/errors.ts';
import type { AlertCursor, AlertRepository } from './alertRepository.ts';

export class AlertService {
  constructor(private readonly repository: AlertRepository) {}

  async list(scope: AccessScope, query: AlertQuery): Promise<AlertPage> {
    const { cursor, ...rest } = query;
    const page = await this.repository.list(tenantFilterOf(scope), { ...rest, cursor: cursor ? decodeCursor(cursor) : undefined });
    return { items: page.items, nextCursor: page.last ? encodeCursor(page.last) : null };
  }

  async counters(scope: AccessScope, sensorId: string): Promise<SensorIngestCounters> {
    return (await this.repository.counters(tenantFilterOf(scope), sensorId)) ?? notFound();
  }
}

function notFound(): never {
  throw new NotFoundError('sensor');
}

const CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|([0-9a-f-]{36})$/;

export function encodeCursor(cursor: AlertCursor): string {
  return Buffer.from(`${cursor.observedAt}|${cursor.id}`).toString('base64url');
}

export function decodeCursor(text: string): AlertCursor {
  const match = CURSOR.exec(Buffer.from(text, 'base64url').toString('utf8'));
  if (!match) throw new BadRequestError('cursor is not one this API gave out; pass nextCursor of the previous page unchanged');
  return { observedAt: match[1]!, id: match[2]! };
}

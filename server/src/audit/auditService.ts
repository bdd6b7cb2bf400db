import type { AuditEntry, AuditQuery } from '@otasuke/shared';
import { tenantFilterOf, type AccessScope, type RequestContext } from '../access/accessScope.ts';
import type { Clock } from '../clock.ts';
import type { AuditRepository } from './auditRepository.ts';

export interface AuditEvent {
  action: string;
  /** The tenant the change belongs to (the target's organization), for filtering. */
  organizationId: string | null;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
}

/** Records every write: who, for which organization, what, on what, when, from where. */
export class AuditService {
  constructor(
    private readonly repository: AuditRepository,
    private readonly clock: Clock,
  ) {}

  async record(context: RequestContext, event: AuditEvent): Promise<void> {
    await this.repository.insert({
      actorUserId: context.scope?.userId ?? null,
      actorTokenId: context.scope?.tokenId ?? null,
      organizationId: event.organizationId,
      action: event.action,
      targetType: event.targetType ?? null,
      targetId: event.targetId ?? null,
      ip: context.ip,
      requestId: context.requestId,
      details: event.details,
      at: this.clock.now(),
    });
  }

  list(scope: AccessScope, query: AuditQuery): Promise<AuditEntry[]> {
    return this.repository.list(tenantFilterOf(scope), query);
  }
}

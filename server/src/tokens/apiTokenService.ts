import type { ApiToken } from '@otasuke/shared';
import type { AccessScope, RequestContext } from '../access/accessScope.ts';
import type { AuditService } from '../audit/auditService.ts';
import { hashSecretToken, newSecretToken } from '../auth/secrets.ts';
import type { Clock } from '../clock.ts';
import { NotFoundError, UnauthenticatedError } from '../http/errors.ts';
import type { ApiTokenRepository } from './apiTokenRepository.ts';

/**
 * API tokens let machines (scripts, integrations) call the API as their organization, with the role
 * of the person who made them. The secret is shown once; only its hash is kept.
 */
export class ApiTokenService {
  constructor(
    private readonly repository: ApiTokenRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  list(scope: AccessScope): Promise<ApiToken[]> {
    // Tokens are credentials: even operator staff see only their own organization's.
    return this.repository.list({ kind: 'organization', organizationId: scope.organizationId });
  }

  async create(context: RequestContext, name: string): Promise<{ token: ApiToken; secret: string }> {
    const scope = context.scope;
    if (!scope) throw new UnauthenticatedError();
    const random = newSecretToken();
    const secret = `otk_${random}`;
    const token = await this.repository.create({
      organizationId: scope.organizationId,
      createdBy: scope.userId,
      role: scope.role,
      name,
      prefix: secret.slice(0, 10),
      secretHash: hashSecretToken(secret),
      createdAt: this.clock.now(),
    });
    await this.audit.record(context, { action: 'api_token.create', organizationId: scope.organizationId, targetType: 'api_token', targetId: token.id, details: { name } });
    return { token, secret };
  }

  async revoke(context: RequestContext, id: string): Promise<ApiToken> {
    const scope = context.scope;
    if (!scope) throw new UnauthenticatedError();
    const token = await this.repository.revoke({ kind: 'organization', organizationId: scope.organizationId }, id, this.clock.now());
    if (!token) throw new NotFoundError('API token');
    await this.audit.record(context, { action: 'api_token.revoke', organizationId: token.organizationId, targetType: 'api_token', targetId: id });
    return token;
  }
}


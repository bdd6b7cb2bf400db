import { rolesByOrganizationKind, type User, type UserCreate, type UserUpdate } from '@otasuke/shared';
import { tenantFilterOf, type AccessScope, type RequestContext } from '../access/accessScope.ts';
import type { AuditService } from '../audit/auditService.ts';
import { hashPassword } from '../auth/passwordHasher.ts';
import type { Clock } from '../clock.ts';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError } from '../http/errors.ts';
import type { OrganizationRepository } from '../organizations/organizationRepository.ts';
import type { UserRepository } from './userRepository.ts';

export class UserService {
  constructor(
    private readonly users: UserRepository,
    private readonly organizations: OrganizationRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  list(scope: AccessScope, organizationId?: string): Promise<User[]> {
    return this.users.list(tenantFilterOf(scope), organizationId);
  }

  async get(scope: AccessScope, id: string): Promise<User> {
    const user = await this.users.get(tenantFilterOf(scope), id);
    if (!user) throw new NotFoundError('user');
    return user;
  }

  /** Used by the CLI and demo loader as well as the API; `context.scope` null means the local administrator. */
  async create(context: RequestContext, input: UserCreate): Promise<User> {
    const organization = context.scope
      ? await this.organizations.get(tenantFilterOf(context.scope), input.organizationId)
      : await this.organizations.get({ kind: 'all' }, input.organizationId);
    if (!organization) throw new NotFoundError('organization');
    if (!rolesByOrganizationKind[organization.kind].includes(input.role)) {
      throw new BadRequestError(`role ${input.role} is not allowed in an organization of kind ${organization.kind} (allowed: ${rolesByOrganizationKind[organization.kind].join(', ')})`, {
        fields: [{ field: 'body.role', message: 'not allowed for this organization' }],
      });
    }
    if (await this.users.emailTaken(input.email)) {
      throw new ConflictError('a user with this email address already exists', { fields: [{ field: 'body.email', message: 'already in use' }] });
    }
    const user = await this.users.create({
      organizationId: input.organizationId,
      email: input.email,
      displayName: input.displayName,
      role: input.role,
      locale: input.locale,
      passwordHash: await hashPassword(input.password),
    });
    await this.audit.record(context, { action: 'user.create', organizationId: user.organizationId, targetType: 'user', targetId: user.id, details: { email: user.email, role: user.role } });
    return user;
  }

  async update(context: RequestContext, id: string, input: UserUpdate): Promise<User> {
    const scope = requireScope(context);
    const current = await this.get(scope, id);
    if (input.role !== undefined) {
      const organization = await this.organizations.get(tenantFilterOf(scope), current.organizationId);
      if (!organization || !rolesByOrganizationKind[organization.kind].includes(input.role)) {
        throw new BadRequestError(`role ${input.role} does not exist in this organization`, { fields: [{ field: 'body.role', message: 'not allowed for this organization' }] });
      }
      if (id === scope.userId) throw new ForbiddenError('you cannot change your own role');
    }
    if (input.disabled && id === scope.userId) throw new ForbiddenError('you cannot disable yourself');
    const user = await this.users.update(tenantFilterOf(scope), id, input, this.clock.now());
    if (!user) throw new NotFoundError('user');
    await this.audit.record(context, { action: 'user.update', organizationId: user.organizationId, targetType: 'user', targetId: id, details: { ...input } });
    return user;
  }

  async delete(context: RequestContext, id: string): Promise<void> {
    const scope = requireScope(context);
    const user = await this.get(scope, id);
    if (id === scope.userId) throw new ForbiddenError('you cannot delete yourself');
    await this.users.delete(tenantFilterOf(scope), id);
    await this.audit.record(context, { action: 'user.delete', organizationId: user.organizationId, targetType: 'user', targetId: id, details: { email: user.email } });
  }
}

function requireScope(context: RequestContext): AccessScope {
  if (!context.scope) throw new UnauthenticatedError();
  return context.scope;
}

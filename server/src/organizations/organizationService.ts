import type { Organization, OrganizationCreate, OrganizationUpdate, Sensor, SensorCreate, Site, SiteCreate, SiteUpdate } from '@otasuke/shared';
import { tenantFilterOf, type AccessScope, type RequestContext } from '../access/accessScope.ts';
import type { AuditService } from '../audit/auditService.ts';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../http/errors.ts';
import type { OrganizationRepository } from './organizationRepository.ts';

function scopeIn(context: RequestContext): AccessScope {
  if (!context.scope) throw new UnauthenticatedError();
  return context.scope;
}

/** Tenants (organizations), their sites and the sensors placed there. */
export class OrganizationService {
  constructor(
    private readonly repository: OrganizationRepository,
    private readonly audit: AuditService,
  ) {}

  list(scope: AccessScope, kind?: Organization['kind']): Promise<Organization[]> {
    return this.repository.list(tenantFilterOf(scope), kind);
  }

  async get(scope: AccessScope, id: string): Promise<Organization> {
    return (await this.repository.get(tenantFilterOf(scope), id)) ?? notFound('organization');
  }

  async create(context: RequestContext, input: OrganizationCreate): Promise<Organization> {
    const organization = await this.repository.create(input);
    await this.audit.record(context, { action: 'organization.create', organizationId: organization.id, targetType: 'organization', targetId: organization.id, details: { ...input } });
    return organization;
  }

  async update(context: RequestContext, id: string, input: OrganizationUpdate): Promise<Organization> {
    const scope = scopeIn(context);
    // Membership decides the price; only the operator verifies it.
    if (input.membership !== undefined && scope.organizationKind !== 'operator') throw new ForbiddenError('membership is verified by the operator');
    const current = await this.get(scope, id);
    if (input.membership !== undefined && current.kind !== 'subscriber') throw new ForbiddenError('only subscribers have a membership');
    const organization = (await this.repository.update(tenantFilterOf(scope), id, input)) ?? notFound('organization');
    await this.audit.record(context, { action: 'organization.update', organizationId: id, targetType: 'organization', targetId: id, details: { ...input } });
    return organization;
  }

  listSites(scope: AccessScope, organizationId?: string): Promise<Site[]> {
    return this.repository.listSites(tenantFilterOf(scope), organizationId);
  }

  async getSite(scope: AccessScope, id: string): Promise<Site> {
    return (await this.repository.getSite(tenantFilterOf(scope), id)) ?? notFound('site');
  }

  async createSite(context: RequestContext, organizationId: string, input: SiteCreate): Promise<Site> {
    const organization = await this.get(scopeIn(context), organizationId);
    if (organization.kind !== 'subscriber') throw new ForbiddenError('only subscribers have sites');
    const site = await this.repository.createSite(organizationId, input);
    await this.audit.record(context, { action: 'site.create', organizationId, targetType: 'site', targetId: site.id, details: { ...input } });
    return site;
  }

  async updateSite(context: RequestContext, id: string, input: SiteUpdate): Promise<Site> {
    const site = (await this.repository.updateSite(tenantFilterOf(scopeIn(context)), id, input)) ?? notFound('site');
    await this.audit.record(context, { action: 'site.update', organizationId: site.organizationId, targetType: 'site', targetId: id, details: { ...input } });
    return site;
  }

  async deleteSite(context: RequestContext, id: string): Promise<void> {
    const site = await this.getSite(scopeIn(context), id);
    await this.repository.deleteSite(tenantFilterOf(scopeIn(context)), id);
    await this.audit.record(context, { action: 'site.delete', organizationId: site.organizationId, targetType: 'site', targetId: id, details: { name: site.name } });
  }

  listSensors(scope: AccessScope, siteId?: string): Promise<Sensor[]> {
    return this.repository.listSensors(tenantFilterOf(scope), siteId);
  }

  async getSensor(scope: AccessScope, id: string): Promise<Sensor> {
    return (await this.repository.getSensor(tenantFilterOf(scope), id)) ?? notFound('sensor');
  }

  async createSensor(context: RequestContext, siteId: string, input: SensorCreate): Promise<Sensor> {
    const site = await this.getSite(scopeIn(context), siteId);
    const sensor = await this.repository.createSensor(site, input.name);
    await this.audit.record(context, { action: 'sensor.create', organizationId: site.organizationId, targetType: 'sensor', targetId: sensor.id, details: { ...input, siteId } });
    return sensor;
  }

  async revokeSensor(context: RequestContext, id: string): Promise<Sensor> {
    const sensor = (await this.repository.revokeSensor(tenantFilterOf(scopeIn(context)), id)) ?? notFound('sensor');
    await this.audit.record(context, { action: 'sensor.revoke', organizationId: sensor.organizationId, targetType: 'sensor', targetId: id });
    return sensor;
  }
}

function notFound(what: string): never {
  throw new NotFoundError(what);
}

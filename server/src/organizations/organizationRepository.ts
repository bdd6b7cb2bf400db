import type { Organization, OrganizationCreate, OrganizationUpdate, Sensor, Site, SiteCreate, SiteUpdate } from '@otasuke/shared';
import type { Selectable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { OrganizationsTable, SensorsTable, SitesTable } from '../db/tables.ts';
import type { TenantFilter } from '../access/accessScope.ts';
import { restrictToTenant } from '../db/tenantFilter.ts';

export const toOrganization = (r: Selectable<OrganizationsTable>): Organization => ({
  id: r.id,
  kind: r.kind,
  name: r.name,
  nameKana: r.nameKana,
  membership: r.membership,
  prefecture: r.prefecture,
  city: r.city,
  createdAt: r.createdAt.toISOString(),
});

const toSite = (r: Selectable<SitesTable>): Site => ({
  id: r.id,
  organizationId: r.organizationId,
  name: r.name,
  postalCode: r.postalCode,
  address: r.address,
  createdAt: r.createdAt.toISOString(),
});

const toSensor = (r: Selectable<SensorsTable>): Sensor => ({
  id: r.id,
  organizationId: r.organizationId,
  siteId: r.siteId,
  name: r.name,
  status: r.status,
  lastSeenAt: r.lastSeenAt?.toISOString() ?? null,
  createdAt: r.createdAt.toISOString(),
});

/** Organizations, their sites and the sensors at those sites. Every call is tenant-filtered. */
export class OrganizationRepository {
  constructor(private readonly db: Db) {}

  async list(filter: TenantFilter, kind?: Organization['kind']): Promise<Organization[]> {
    let q = restrictToTenant(this.db.selectFrom('organizations').selectAll(), 'id', filter);
    if (kind) q = q.where('kind', '=', kind);
    return (await q.orderBy('createdAt').orderBy('id').execute()).map(toOrganization);
  }

  async get(filter: TenantFilter, id: string): Promise<Organization | undefined> {
    const row = await restrictToTenant(this.db.selectFrom('organizations').selectAll().where('id', '=', id), 'id', filter).executeTakeFirst();
    return row && toOrganization(row);
  }

  async create(input: OrganizationCreate): Promise<Organization> {
    const row = await this.db
      .insertInto('organizations')
      .values({
        kind: input.kind,
        name: input.name,
        nameKana: input.nameKana ?? null,
        membership: input.membership ?? null,
        prefecture: input.prefecture ?? null,
        city: input.city ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toOrganization(row);
  }

  async update(filter: TenantFilter, id: string, input: OrganizationUpdate): Promise<Organization | undefined> {
    const row = await restrictToTenant(this.db.updateTable('organizations').set(input).where('id', '=', id), 'id', filter)
      .returningAll()
      .executeTakeFirst();
    return row && toOrganization(row);
  }

  async findByName(kind: Organization['kind'], name: string): Promise<Organization | undefined> {
    const row = await this.db.selectFrom('organizations').selectAll().where('kind', '=', kind).where('name', '=', name).executeTakeFirst();
    return row && toOrganization(row);
  }

  async listSites(filter: TenantFilter, organizationId?: string): Promise<Site[]> {
    let q = restrictToTenant(this.db.selectFrom('sites').selectAll(), 'organizationId', filter);
    if (organizationId) q = q.where('organizationId', '=', organizationId);
    return (await q.orderBy('createdAt').orderBy('id').execute()).map(toSite);
  }

  async getSite(filter: TenantFilter, id: string): Promise<Site | undefined> {
    const row = await restrictToTenant(this.db.selectFrom('sites').selectAll().where('id', '=', id), 'organizationId', filter).executeTakeFirst();
    return row && toSite(row);
  }

  async createSite(organizationId: string, input: SiteCreate): Promise<Site> {
    const row = await this.db
      .insertInto('sites')
      .values({ organizationId, name: input.name, postalCode: input.postalCode ?? null, address: input.address ?? null })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toSite(row);
  }

  async updateSite(filter: TenantFilter, id: string, input: SiteUpdate): Promise<Site | undefined> {
    const row = await restrictToTenant(this.db.updateTable('sites').set(input).where('id', '=', id), 'organizationId', filter)
      .returningAll()
      .executeTakeFirst();
    return row && toSite(row);
  }

  async deleteSite(filter: TenantFilter, id: string): Promise<boolean> {
    const result = await restrictToTenant(this.db.deleteFrom('sites').where('id', '=', id), 'organizationId', filter).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async listSensors(filter: TenantFilter, siteId?: string): Promise<Sensor[]> {
    let q = restrictToTenant(this.db.selectFrom('sensors').selectAll(), 'organizationId', filter);
    if (siteId) q = q.where('siteId', '=', siteId);
    return (await q.orderBy('createdAt').orderBy('id').execute()).map(toSensor);
  }

  async getSensor(filter: TenantFilter, id: string): Promise<Sensor | undefined> {
    const row = await restrictToTenant(this.db.selectFrom('sensors').selectAll().where('id', '=', id), 'organizationId', filter).executeTakeFirst();
    return row && toSensor(row);
  }

  async createSensor(site: Site, name: string): Promise<Sensor> {
    const row = await this.db
      .insertInto('sensors')
      .values({ organizationId: site.organizationId, siteId: site.id, name })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toSensor(row);
  }

  async revokeSensor(filter: TenantFilter, id: string): Promise<Sensor | undefined> {
    const row = await restrictToTenant(this.db.updateTable('sensors').set({ status: 'revoked' }).where('id', '=', id), 'organizationId', filter)
      .returningAll()
      .executeTakeFirst();
    return row && toSensor(row);
  }
}

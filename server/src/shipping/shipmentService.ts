import type { Shipment, ShipmentCreate, ShipmentQuery } from '@otasuke/shared';
import { tenantFilterOf, type AccessScope, type RequestContext } from '../access/accessScope.ts';
import type { AuditService } from '../audit/auditService.ts';
import type { BillingRepository } from '../billing/billingRepository.ts';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../http/errors.ts';
import type { OrganizationRepository } from '../organizations/organizationRepository.ts';
import type { DeliveryNoteRenderer } from './deliveryNotePdf.ts';
import type { EnrollmentService } from '../enrollment/enrollmentService.ts';
import type { ShipmentRepository } from './shipmentRepository.ts';

/**
 * Appliances sent to subscribers' sites: shipped → delivered, and returned (from either) at
 * cancellation or for a swap. The operator records them; the subscriber's admin can follow them.
 */
export class ShipmentService {
  constructor(
    private readonly repository: ShipmentRepository,
    private readonly organizations: OrganizationRepository,
    private readonly billing: BillingRepository,
    private readonly audit: AuditService,
    private readonly pdf: DeliveryNoteRenderer,
    private readonly enrollment: EnrollmentService,
  ) {}

  list(scope: AccessScope, query: ShipmentQuery): Promise<Shipment[]> {
    return this.repository.list(tenantFilterOf(scope), query);
  }

  async get(scope: AccessScope, id: string): Promise<Shipment> {
    return (await this.repository.get(tenantFilterOf(scope), id)) ?? notFound('shipment');
  }

  async create(context: RequestContext, siteId: string, input: ShipmentCreate): Promise<Shipment> {
    const scope = requireOperator(context.scope);
    const site = (await this.organizations.getSite(tenantFilterOf(scope), siteId)) ?? notFound('site');
    const shipment = await this.repository.create(site, input);
    if (!shipment) throw new ConflictError('this appliance is already out (shipped or delivered, not returned)', { fields: [{ field: 'body.serial', message: 'already shipped' }] });
    await this.audit.record(context, { action: 'shipment.create', organizationId: site.organizationId, targetType: 'shipment', targetId: shipment.id, details: { ...input, siteId } });
    // The box enrolls as a new sensor of that site; its one-time code exists only on the note.
    const code = await this.enrollment.createCode(context, siteId, { name: `${site.name} ${input.serial}` });
    const organization = (await this.organizations.get(tenantFilterOf(scope), site.organizationId)) ?? notFound('site');
    const issuer = await this.billing.getIssuer({ kind: 'all' });
    const withSensor = { ...shipment, sensorId: code.sensorId };
    const pdf = await this.pdf.render({
      shipment: withSensor,
      organization,
      site,
      issuerName: issuer?.issuerName ?? 'サイバーセキュリティお助け隊',
      enrollment: { code: code.code, url: code.url, qrDataUrl: code.qrPngDataUrl, expiresAt: code.expiresAt },
    });
    await this.repository.attachDeliveryNote(shipment.id, code.sensorId, pdf);
    return withSensor;
  }

  async delivered(context: RequestContext, id: string, deliveredOn: string): Promise<Shipment> {
    const scope = requireOperator(context.scope);
    const current = await this.get(scope, id);
    if (deliveredOn < current.shippedOn) throw new BadRequestError('delivered before it was shipped', { fields: [{ field: 'body.deliveredOn', message: `must be on or after ${current.shippedOn}` }] });
    const shipment = (await this.repository.transition(tenantFilterOf(scope), id, ['shipped'], 'delivered', { deliveredOn })) ?? conflict(current);
    await this.audit.record(context, { action: 'shipment.delivered', organizationId: shipment.organizationId, targetType: 'shipment', targetId: id, details: { deliveredOn } });
    return shipment;
  }

  async returned(context: RequestContext, id: string, returnedOn: string, note?: string): Promise<Shipment> {
    const scope = requireOperator(context.scope);
    const current = await this.get(scope, id);
    if (returnedOn < current.shippedOn) throw new BadRequestError('returned before it was shipped', { fields: [{ field: 'body.returnedOn', message: `must be on or after ${current.shippedOn}` }] });
    const shipment = (await this.repository.transition(tenantFilterOf(scope), id, ['shipped', 'delivered'], 'returned', { returnedOn, ...(note ? { note } : {}) })) ?? conflict(current);
    await this.audit.record(context, { action: 'shipment.returned', organizationId: shipment.organizationId, targetType: 'shipment', targetId: id, details: { returnedOn, note: note ?? null } });
    return shipment;
  }

  async deliveryNote(scope: AccessScope, id: string): Promise<Buffer> {
    const filter = tenantFilterOf(scope);
    const shipment = await this.get(scope, id);
    const stored = await this.repository.storedDeliveryNote(filter, id);
    if (stored) return stored;
    const organization = (await this.organizations.get(filter, shipment.organizationId)) ?? notFound('shipment');
    const site = (await this.organizations.getSite(filter, shipment.siteId)) ?? notFound('shipment');
    const issuer = await this.billing.getIssuer({ kind: 'all' });
    return this.pdf.render({ shipment, organization, site, issuerName: issuer?.issuerName ?? 'サイバーセキュリティお助け隊' });
  }
}

function requireOperator(scope: AccessScope | null): AccessScope {
  if (!scope || scope.organizationKind !== 'operator') throw new ForbiddenError('shipments are recorded by the operator');
  return scope;
}

function conflict(current: Shipment): never {
  throw new ConflictError(`this shipment is already ${current.status}`);
}

function notFound(what: string): never {
  throw new NotFoundError(what);
}

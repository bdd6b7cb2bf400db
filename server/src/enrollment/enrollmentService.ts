import type { EnrollmentCode, EnrollmentCodeCreate, EnrollmentRefusal, Sensor, SensorEnrollRequest, SensorEnrollment } from '@otasuke/shared';
import QRCode from 'qrcode';
import { tenantFilterOf, type RequestContext } from '../access/accessScope.ts';
import type { AuditService } from '../audit/auditService.ts';
import { hashSecretToken, newSecretToken } from '../auth/secrets.ts';
import type { Clock } from '../clock.ts';
import { AppError, ForbiddenError, NotFoundError, UnauthenticatedError } from '../http/errors.ts';
import type { OrganizationRepository } from '../organizations/organizationRepository.ts';
import type { EnrollmentRepository } from './enrollmentRepository.ts';

export const ENROLLMENT_CODE_DAYS = 7;
/** Prefixes make a leaked secret recognisable (and let the guard tell a sensor from an API token). */
export const ENROLLMENT_CODE_PREFIX = 'otse_';
export const SENSOR_CREDENTIAL_PREFIX = 'ots_';

export interface SensorIdentity {
  sensorId: string;
  organizationId: string;
  /** Where the sensor is as its credential is checked: ingest stores the batch's alerts there. */
  siteId: string;
}

function refused(status: number, reason: EnrollmentRefusal, message: string): never {
  throw new AppError(status === 403 ? 'forbidden' : 'unauthenticated', status, message, { reason });
}

/** One-time enrollment codes for sensors, their exchange for a sensor credential, and that credential's check. */
export class EnrollmentService {
  constructor(
    private readonly repository: EnrollmentRepository,
    private readonly organizations: OrganizationRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly links: { readonly publicUrl: string },
    /** The bundle signing key's public half, handed to the sensor at enrollment so it can pin it. */
    private readonly bundleKeys?: { publicKey(): Promise<{ publicKey: string }> },
  ) {}

  async createCode(context: RequestContext, siteId: string, input: EnrollmentCodeCreate): Promise<EnrollmentCode> {
    if (!context.scope) throw new UnauthenticatedError();
    const filter = tenantFilterOf(context.scope);
    const site = (await this.organizations.getSite(filter, siteId)) ?? notFound('site');
    let sensor: Sensor;
    if (input.sensorId) {
      const existing = await this.organizations.getSensor(filter, input.sensorId);
      if (!existing || existing.siteId !== site.id) notFound('sensor');
      if (existing.status === 'revoked') throw new ForbiddenError('this sensor is revoked; register a new sensor instead');
      sensor = existing;
    } else {
      sensor = await this.organizations.createSensor(site, input.name ?? site.name);
      await this.audit.record(context, { action: 'sensor.create', organizationId: site.organizationId, targetType: 'sensor', targetId: sensor.id, details: { name: sensor.name, siteId: site.id } });
    }
    const code = ENROLLMENT_CODE_PREFIX + newSecretToken(20);
    const now = this.clock.now();
    const stored = await this.repository.createCode({
      organizationId: site.organizationId,
      siteId: site.id,
      sensorId: sensor.id,
      codeHash: hashSecretToken(code),
      createdBy: context.scope.userId,
      expiresAt: new Date(now.getTime() + ENROLLMENT_CODE_DAYS * 24 * 3600 * 1000),
      now,
    });
    await this.audit.record(context, {
      action: 'enrollment_code.create',
      organizationId: site.organizationId,
      targetType: 'sensor',
      targetId: sensor.id,
      details: { siteId: site.id, reEnroll: Boolean(input.sensorId), expiresAt: stored.expiresAt.toISOString() },
    });
    const url = `${this.links.publicUrl.replace(/\/+$/, '')}/enroll?code=${encodeURIComponent(code)}`;
    return {
      code,
      sensorId: sensor.id,
      siteId: site.id,
      organizationId: site.organizationId,
      expiresAt: stored.expiresAt.toISOString(),
      url,
      qrPngDataUrl: await QRCode.toDataURL(url, { errorCorrectionLevel: 'M', margin: 2, width: 256 }),
    };
  }

  /** Revokes an unused, unexpired code (404 when there is none the caller may see). */
  async revokeCode(context: RequestContext, id: string): Promise<void> {
    if (!context.scope) throw new UnauthenticatedError();
    const code = (await this.repository.revokeCode(tenantFilterOf(context.scope), id, this.clock.now())) ?? notFound('enrollment code');
    await this.audit.record(context, { action: 'enrollment_code.revoke', organizationId: code.organizationId, targetType: 'sensor', targetId: code.sensorId, details: { codeId: code.id, siteId: code.siteId } });
  }

  /** Exchanges a code for the sensor's own credential (single use; replaces any older credential). */
  async enroll(context: RequestContext, input: SensorEnrollRequest): Promise<SensorEnrollment> {
    const credential = SENSOR_CREDENTIAL_PREFIX + newSecretToken(32);
    const result = await this.repository.redeem({
      codeHash: hashSecretToken(input.code),
      credentialHash: hashSecretToken(credential),
      hostname: input.hostname ?? null,
      agentVersion: input.agentVersion ?? null,
      now: this.clock.now(),
    });
    switch (result.status) {
      case 'invalid':
        return refused(401, 'enrollment_code_invalid', 'this enrollment code is not valid; check it or ask for a new one');
      case 'used':
        return refused(401, 'enrollment_code_used', 'this enrollment code has already been used; ask for a new one');
      case 'expired':
        return refused(401, 'enrollment_code_expired', `this enrollment code has expired (codes are valid ${ENROLLMENT_CODE_DAYS} days); ask for a new one`);
      case 'revoked':
        await this.audit.record(context, { action: 'sensor.enroll_refused', organizationId: result.code.organizationId, targetType: 'sensor', targetId: result.code.sensorId, details: { reason: 'sensor_revoked' } });
        return refused(403, 'sensor_revoked', 'this sensor has been revoked and cannot be enrolled');
      case 'enrolled':
        break;
    }
    const { code } = result;
    await this.audit.record(context, {
      action: 'sensor.enroll',
      organizationId: code.organizationId,
      targetType: 'sensor',
      targetId: code.sensorId,
      details: { siteId: code.siteId, hostname: input.hostname ?? null, agentVersion: input.agentVersion ?? null },
    });
    const bundlePublicKey = this.bundleKeys ? (await this.bundleKeys.publicKey()).publicKey : undefined;
    return { sensorId: code.sensorId, credential, serverUrl: this.links.publicUrl, ...(bundlePublicKey ? { bundlePublicKey } : {}) };
  }

  /** For sensor-facing routes (and later ingest): who holds this credential; null when unknown or revoked. */
  async authenticateSensor(bearer: string): Promise<SensorIdentity | null> {
    if (!bearer.startsWith(SENSOR_CREDENTIAL_PREFIX)) return null;
    return (await this.repository.findSensorByCredential(hashSecretToken(bearer))) ?? null;
  }

  /** The sensor's own record. */
  async me(identity: SensorIdentity): Promise<Sensor> {
    return (await this.organizations.getSensor({ kind: 'organization', organizationId: identity.organizationId }, identity.sensorId)) ?? notFound('sensor');
  }
}

function notFound(what: string): never {
  throw new NotFoundError(what);
}

import { z } from 'zod';

const Id = z.uuid();

/** Create a one-time enrollment code for a site: a new (pending) sensor, or re-enroll `sensorId`. */
export const EnrollmentCodeCreate = z
  .object({
    sensorId: Id.optional(),
    /** Name of the new sensor (ignored with sensorId); defaults to the site's name. */
    name: z.string().trim().min(1).max(100).optional(),
  })
  .meta({ id: 'EnrollmentCodeCreate' });
export type EnrollmentCodeCreate = z.infer<typeof EnrollmentCodeCreate>;

/** The code is shown once (it is stored hashed), also as a URL and a QR code. */
export const EnrollmentCode = z
  .object({
    code: z.string(),
    sensorId: Id,
    siteId: Id,
    organizationId: Id,
    expiresAt: z.iso.datetime(),
    url: z.string(),
    qrPngDataUrl: z.string(),
  })
  .meta({ id: 'EnrollmentCode' });
export type EnrollmentCode = z.infer<typeof EnrollmentCode>;

export const SensorEnrollRequest = z
  .object({
    code: z.string().trim().min(1).max(200),
    hostname: z.string().trim().min(1).max(253).optional(),
    agentVersion: z.string().trim().min(1).max(64).optional(),
  })
  .meta({ id: 'SensorEnrollRequest' });
export type SensorEnrollRequest = z.infer<typeof SensorEnrollRequest>;

/** The sensor's own credential, returned once; the sensor sends it as `Authorization: Bearer …`. */
export const SensorEnrollment = z
  .object({
    sensorId: Id,
    credential: z.string(),
    serverUrl: z.string(),
    /** PEM (SPKI) of the Ed25519 key that signs rules/IOC bundles; the sensor pins it. */
    bundlePublicKey: z.string().optional(),
  })
  .meta({ id: 'SensorEnrollment' });
export type SensorEnrollment = z.infer<typeof SensorEnrollment>;

/** Why an enrollment was refused (in `error.details.reason`). */
export const EnrollmentRefusal = z.enum(['enrollment_code_invalid', 'enrollment_code_used', 'enrollment_code_expired', 'sensor_revoked']);
export type EnrollmentRefusal = z.infer<typeof EnrollmentRefusal>;

/**
 * Configuration is read once at boot, from (lowest to highest precedence) an optional JSON file,
 * the environment and command-line flags, into one typed object. Every problem is collected, so
 * the operator fixes them all in one go instead of one per restart.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

const urlWithProtocols = (protocols: string[]) =>
  z
    .string()
    .trim()
    .refine((v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }, `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);

export const ConfigSchema = z
  .object({
    port: z.coerce.number().int().min(0).max(65535).default(8080),
    host: z.string().min(1).default('0.0.0.0'),
    dataDir: z.string().min(1).default('./data'),
    databaseUrl: urlWithProtocols(['postgres:', 'postgresql:']).optional(),
    natsUrl: urlWithProtocols(['nats:', 'tls:']).optional(),
    smtpUrl: urlWithProtocols(['smtp:', 'smtps:']).optional(),
    mailFrom: z.string().min(3).default('Otasuke <no-reply@otasuke.localhost>'),
    mailCharset: z.enum(['utf-8', 'iso-2022-jp']).default('utf-8'),
    publicUrl: urlWithProtocols(['http:', 'https:']).optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Sessions idle longer than this are gone; absolute lifetime is 7 days. */
    sessionIdleMinutes: z.coerce.number().int().min(5).max(7 * 24 * 60).default(12 * 60),
    /** Secure cookies need HTTPS; off only for plain-HTTP development. */
    cookieSecure: z
      .union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')])
      .optional(),
    bodyLimitBytes: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
    /** Ingest batches per second each sensor may send to one node, and the burst above that. */
    ingestBatchesPerSecond: z.coerce.number().positive().max(100_000).default(20),
    ingestBurst: z.coerce.number().int().min(1).max(1_000_000).default(40),
    /** Folder of ET Open rule files for bundles; default ../shared/data/et-open when it exists, else local rules only. */
    rulesDir: z.string().min(1).optional(),
    /** PEM (PKCS#8) Ed25519 key that signs bundles; unset = a key generated once and kept in the database. */
    bundleSigningKeyFile: z.string().min(1).optional(),
    /** Days of raw heartbeat samples kept (pruned daily). */
    heartbeatRetentionDays: z.coerce.number().int().min(1).max(3650).default(30),
    /** Let feed URLs reach loopback/private/link-local addresses (an internal mirror); off by default. */
    feedAllowPrivateAddresses: z
      .union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')])
      .default(false),
    /** Largest threat feed accepted, uploaded or fetched. */
    feedMaxBytes: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(64 * 1024 * 1024),
    /** Port of the help desk's inbound SMTP listener (mail → tickets); unset = off. */
    inboundSmtpPort: z.coerce.number().int().min(1).max(65535).optional(),
    /** Comma-separated addresses the listener accepts (soudan@…); empty = any recipient. */
    inboundSmtpRecipients: z.string().default(''),
    /** Let subscribers register webhooks on loopback/private/link-local addresses; off by default. */
    allowInternalWebhooks: z
      .union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')])
      .default(false),
    demo: z
      .union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')])
      .default(false),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema> & {
  publicUrl: string;
  /** False when publicUrl was derived from the port (then the port actually bound is used). */
  publicUrlGiven: boolean;
  cookieSecure: boolean;
};

/** Environment variable for each setting (flags use the kebab-case key: --data-dir). */
export const envNames: Record<keyof z.infer<typeof ConfigSchema>, string> = {
  port: 'PORT',
  host: 'HOST',
  dataDir: 'OTASUKE_DATA_DIR',
  databaseUrl: 'DATABASE_URL',
  natsUrl: 'NATS_URL',
  smtpUrl: 'SMTP_URL',
  mailFrom: 'MAIL_FROM',
  mailCharset: 'MAIL_CHARSET',
  publicUrl: 'PUBLIC_URL',
  logLevel: 'LOG_LEVEL',
  sessionIdleMinutes: 'SESSION_IDLE_MINUTES',
  cookieSecure: 'COOKIE_SECURE',
  bodyLimitBytes: 'BODY_LIMIT_BYTES',
  ingestBatchesPerSecond: 'INGEST_BATCHES_PER_SECOND',
  ingestBurst: 'INGEST_BURST',
  rulesDir: 'OTASUKE_RULES_DIR',
  bundleSigningKeyFile: 'OTASUKE_BUNDLE_SIGNING_KEY_FILE',
  heartbeatRetentionDays: 'HEARTBEAT_RETENTION_DAYS',
  feedAllowPrivateAddresses: 'FEED_ALLOW_PRIVATE_ADDRESSES',
  feedMaxBytes: 'FEED_MAX_BYTES',
  inboundSmtpPort: 'INBOUND_SMTP_PORT',
  inboundSmtpRecipients: 'INBOUND_SMTP_RECIPIENTS',
  allowInternalWebhooks: 'ALLOW_INTERNAL_WEBHOOKS',
  demo: 'OTASUKE_DEMO',
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface ConfigSources {
  env?: NodeJS.ProcessEnv;
  /** Flag values already split by the CLI, keyed by setting name (camelCase). */
  flags?: Record<string, unknown>;
  /** Path of a JSON config file (also OTASUKE_CONFIG). */
  file?: string;
}

export function loadConfig(sources: ConfigSources = {}): Config {
  const env = sources.env ?? process.env;
  const problems: string[] = [];
  const raw: Record<string, unknown> = {};
  const known = new Set(Object.keys(envNames));

  const file = sources.file ?? env.OTASUKE_CONFIG;
  if (file) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        problems.push(`config file ${file}: must hold a JSON object`);
      } else {
        Object.assign(raw, parsed);
      }
    } catch (err) {
      problems.push(`config file ${file}: ${(err as Error).message}`);
    }
  }
  for (const [key, name] of Object.entries(envNames)) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  for (const [key, value] of Object.entries(sources.flags ?? {})) {
    if (value === undefined) continue;
    if (!known.has(key)) problems.push(`unknown setting "${key}"`);
    else raw[key] = value;
  }

  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = issue.path.join('.');
      if (issue.code === 'unrecognized_keys') {
        for (const k of issue.keys) problems.push(`unknown setting "${k}"`);
      } else {
        const envName = envNames[key as keyof typeof envNames];
        problems.push(`${key}${envName ? ` (${envName})` : ''}: ${issue.message}`);
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const config = result.data!;
  const publicUrl = (config.publicUrl ?? `http://localhost:${config.port}`).replace(/\/$/, '');
  return {
    ...config,
    dataDir: resolve(config.dataDir),
    publicUrl,
    publicUrlGiven: config.publicUrl !== undefined,
    cookieSecure: config.cookieSecure ?? publicUrl.startsWith('https:'),
  };
}

/** Turns the server's config into the distribution settings (bundles, feeds, heartbeat retention). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/config.ts';
import type { ServiceAdapters } from '../services.ts';

/** The ET Open ruleset of the test material, used when no rulesDir is configured and it is there. */
export const defaultRulesDir = fileURLToPath(new URL('../../../../shared/data/et-open', import.meta.url));

export function distributionSettingsOf(config: Pick<Config, 'rulesDir' | 'bundleSigningKeyFile' | 'heartbeatRetentionDays' | 'feedAllowPrivateAddresses' | 'feedMaxBytes'>): NonNullable<ServiceAdapters['distribution']> {
  return {
    bundles: { rulesDir: config.rulesDir ?? (existsSync(defaultRulesDir) ? defaultRulesDir : undefined), signingKeyFile: config.bundleSigningKeyFile },
    feeds: { allowPrivateAddresses: config.feedAllowPrivateAddresses, maxBytes: config.feedMaxBytes },
    heartbeatRetentionDays: config.heartbeatRetentionDays,
  };
}

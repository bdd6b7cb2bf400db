/** The feeds' status for the console: a ThreatFeed plus its last successful import and the policies that carry it. */
import { ThreatFeed } from '@otasuke/shared';
import { z } from 'zod';

export const FeedOverview = ThreatFeed.extend({
  /** The last import that kept entries (ok or partial); null before the first one. */
  lastSuccessAt: z.iso.datetime({ offset: true }).nullable(),
  /** Names of the bundle policies whose bundles carry this feed. */
  policies: z.array(z.string()),
}).meta({ id: 'FeedOverview' });
export type FeedOverview = z.infer<typeof FeedOverview>;

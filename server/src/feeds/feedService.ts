/**
 * Threat feeds the operator imports: from an uploaded file or from the feed's URL (by hand, or on
 * its schedule). Each import is parsed with the sensor's own parsers; the distinct indicators
 * replace the feed's entries, the first line errors are kept with their count, and the bundles of
 * the policies that use the feed are rebuilt. A failed import (nothing readable, a refused or
 * broken download) keeps the previous entries, so one bad fetch never empties a feed.
 */
import type { FeedImportResult, ThreatFeed, ThreatFeedCreate } from '@otasuke/shared';
import type { RequestContext } from '../access/accessScope.ts';
import type { AuditService } from '../audit/auditService.ts';
import type { BundleService } from '../bundles/bundleService.ts';
import type { Clock } from '../clock.ts';
import { BadRequestError, ConflictError, NotFoundError } from '../http/errors.ts';
import { DEFAULT_FEED_MAX_BYTES, fetchFeed, FeedFetchError, type FeedFetchSettings } from './feedFetcher.ts';
import { looksBinary, parseFeed } from './feedParsing.ts';
import type { FeedRepository } from './feedRepository.ts';
import type { FeedOverview } from './feedOverviewSchemas.ts';

export type FeedDownloader = (url: string, settings: FeedFetchSettings) => Promise<Buffer>;

export interface FeedLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export class FeedService {
  private readonly importing = new Map<string, Promise<FeedImportResult>>();

  constructor(
    private readonly repository: FeedRepository,
    private readonly bundles: BundleService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly settings: FeedFetchSettings = {},
    private readonly download: FeedDownloader = fetchFeed,
  ) {}

  /** The largest feed accepted, uploaded or fetched. */
  get maxUploadBytes(): number {
    return this.settings.maxBytes ?? DEFAULT_FEED_MAX_BYTES;
  }

  list(): Promise<ThreatFeed[]> {
    return this.repository.list();
  }

  /** The feeds with their last successful import and the policies that use them (the console's status page). */
  overview(): Promise<FeedOverview[]> {
    return this.repository.overview();
  }

  async get(id: string): Promise<ThreatFeed> {
    return (await this.repository.get(id)) ?? notFound();
  }

  async create(context: RequestContext, input: ThreatFeedCreate): Promise<ThreatFeed> {
    if (input.source === 'upload' && input.scheduleMinutes !== null) throw new BadRequestError('only a URL feed can have a schedule; leave scheduleMinutes null for uploads');
    const feed = await this.repository.create(input, this.clock.now());
    if (!feed) throw new ConflictError(`a feed named "${input.name}" already exists; choose another name`);
    await this.audit.record(context, { action: 'threat_feed.create', organizationId: null, targetType: 'threat_feed', targetId: feed.id, details: { name: feed.name, format: feed.format, source: feed.source } });
    return feed;
  }

  /**
   * Imports `upload` (the file's bytes) or, without one, the feed's URL. One import per feed at a
   * time: another request meanwhile is refused (409) rather than given someone else's result.
   */
  async importFeed(context: RequestContext, id: string, upload?: Uint8Array): Promise<FeedImportResult> {
    const feed = (await this.repository.get(id)) ?? notFound();
    if (!upload && feed.source === 'upload') throw new BadRequestError('this feed takes uploads: send the feed file as the request body (text/plain, text/csv, application/json or application/octet-stream)');
    if (this.importing.has(id)) throw new ConflictError('an import of this feed is running; try again when it has finished');
    const running = this.run(feed, upload).finally(() => this.importing.delete(id));
    this.importing.set(id, running);
    const result = await running;
    await this.audit.record(context, {
      action: 'threat_feed.import',
      organizationId: null,
      targetType: 'threat_feed',
      targetId: id,
      details: { status: result.status, entries: result.entryCount, errors: result.errorCount, from: upload ? 'upload' : 'url' },
    });
    return result;
  }

  /** The scheduler's pass: every URL feed whose time has come. Returns how many were imported. */
  async importDue(logger?: FeedLogger): Promise<number> {
    const context = { scope: null, ip: null, requestId: 'job:feeds' };
    let imported = 0;
    for (const feed of await this.repository.due(this.clock.now())) {
      try {
        const result = await this.importFeed(context, feed.id);
        logger?.info({ feed: feed.name, status: result.status, entries: result.entryCount, errors: result.errorCount }, 'threat feed imported');
        imported++;
      } catch (err) {
        logger?.warn({ err, feed: feed.name }, 'threat feed import failed; the next tick retries it');
      }
    }
    return imported;
  }

  private async run(feed: ThreatFeed, upload: Uint8Array | undefined): Promise<FeedImportResult> {
    const importedAt = this.clock.now().toISOString();
    const failed = (message: string): Omit<FeedImportResult, 'rebuilt'> => ({ feedId: feed.id, status: 'failed', importedAt, entryCount: 0, entriesByType: {}, errorCount: 0, errors: [], message });
    let bytes: Uint8Array;
    if (upload) {
      bytes = upload;
    } else {
      try {
        bytes = await this.download(feed.source, this.settings);
      } catch (err) {
        if (!(err instanceof FeedFetchError)) throw err;
        const result = failed(`${err.message}; the previous entries are kept`);
        await this.repository.recordImport(feed.id, result, null);
        return { ...result, rebuilt: [] };
      }
    }
    if (looksBinary(bytes)) {
      const result = failed('the file looks binary (it holds NUL bytes), not a feed; the previous entries are kept');
      await this.repository.recordImport(feed.id, result, null);
      return { ...result, rebuilt: [] };
    }
    const parsed = parseFeed(bytes, feed.name, feed.format);
    const base = { feedId: feed.id, importedAt, entryCount: parsed.entryCount, entriesByType: parsed.entriesByType, errorCount: parsed.errorCount, errors: parsed.errors };
    if (parsed.entryCount === 0) {
      const result = { ...base, status: 'failed' as const, message: `no indicator could be read${parsed.format ? ` (format ${parsed.format})` : ''}; the previous entries are kept` };
      await this.repository.recordImport(feed.id, result, null);
      return { ...result, rebuilt: [] };
    }
    const result = {
      ...base,
      status: parsed.errorCount > 0 ? ('partial' as const) : ('ok' as const),
      message: parsed.errorCount > 0 ? `${parsed.errorCount} line(s) could not be read (format ${parsed.format ?? 'unknown'}); the others were imported` : null,
    };
    await this.repository.recordImport(feed.id, result, { text: parsed.plainText, count: parsed.entryCount });
    const rebuilt = await this.bundles.rebuildForFeed(feed.id);
    return { ...result, rebuilt: rebuilt.map((b) => ({ policy: b.policy, version: b.version, changed: b.changed })) };
  }
}

function notFound(): never {
  throw new NotFoundError('threat feed');
}

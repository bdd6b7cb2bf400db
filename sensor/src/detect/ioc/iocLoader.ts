/**
 * Loads IOC feed files (and MISP feed directories) into one IocIndex. Line formats are streamed
 * in 1 MB reads, so a large feed never sits in memory as text; JSON feeds are read whole up to
 * IOC_JSON_MAX_BYTES and refused beyond. Broken lines are listed (file, line, reason), capped;
 * past `maxEntries` indicators the rest are counted, not loaded.
 */
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { IocIndex } from './iocIndex.ts';
import type { IocParseOptions } from './iocParse.ts';
import { FeedReader, IOC_JSON_MAX_BYTES, IocFeedError } from './iocParse.ts';
import type { IocLineError } from './iocValue.ts';
import { mispManifestEvents } from './jsonFeeds.ts';
import type { IocFormat, IocSink } from './lineFormats.ts';

/** Indicators loaded at most, by default (about 110 MB of index per million, measured by npm run bench:ioc). */
export const IOC_DEFAULT_MAX_ENTRIES = 2_000_000;
/** Broken lines listed; the rest are only counted. */
export const IOC_MAX_LISTED_ERRORS = 100;
/** Distinct skip reasons kept; the rest are counted under "other". */
const MAX_SKIP_REASONS = 50;
const READ_CHUNK = 1024 * 1024;

export interface IocLoadStats {
  /** Feed files read (a MISP feed counts its event files). */
  files: number;
  /** Distinct indicators in the index. */
  loaded: number;
  /** Indicators listed again (same or another feed). */
  duplicates: number;
  byType: Record<string, number>;
  /** Well-formed records the sensor does not match, and the reasons. */
  skipped: number;
  skipReasons: Record<string, number>;
  /** Broken lines, the first IOC_MAX_LISTED_ERRORS of them. */
  errors: IocLineError[];
  /** Broken lines beyond those listed. */
  moreErrors: number;
  /** Indicators not loaded because `maxEntries` was reached. */
  notLoaded: number;
  /** Format used per file. */
  formats: Record<string, string>;
  loadMs: number;
}

export interface IocLoad {
  index: IocIndex;
  stats: IocLoadStats;
}

export interface IocLoadOptions {
  maxEntries?: number;
  maxJsonBytes?: number;
  /** Wall-clock ms for STIX `valid_until`; default now. */
  now?: number;
}

class LoadSession {
  readonly index = new IocIndex();
  readonly stats: IocLoadStats = {
    files: 0, loaded: 0, duplicates: 0, byType: {}, skipped: 0, skipReasons: {}, errors: [], moreErrors: 0, notLoaded: 0, formats: {}, loadMs: 0,
  };
  private limitReported = false;

  constructor(readonly options: IocLoadOptions) {}

  error(file: string, line: number, reason: string): void {
    if (this.stats.errors.length < IOC_MAX_LISTED_ERRORS) this.stats.errors.push({ file, line, reason });
    else this.stats.moreErrors++;
  }

  sink(file: string): IocSink {
    const max = this.options.maxEntries ?? IOC_DEFAULT_MAX_ENTRIES;
    return {
      entry: (e) => {
        if (this.index.size >= max) {
          this.stats.notLoaded++;
          if (!this.limitReported) {
            this.limitReported = true;
            this.error(file, 0, `limit of ${max} indicators reached: the rest are not loaded (see notLoaded)`);
          }
          return;
        }
        const r = this.index.addCanonical(e);
        if (r === 'duplicate') this.stats.duplicates++;
        else if (r !== 'added') this.error(file, 0, r.reason);
      },
      error: (line, reason) => this.error(file, line, reason),
      skip: (reason) => {
        this.stats.skipped++;
        const reasons = this.stats.skipReasons;
        const key = reason in reasons || Object.keys(reasons).length < MAX_SKIP_REASONS ? reason : 'other';
        reasons[key] = (reasons[key] ?? 0) + 1;
      },
    };
  }

  async loadFile(path: string, options: IocParseOptions = {}): Promise<void> {
    this.stats.files++;
    const reader = new FeedReader(path, this.sink(path), { maxJsonBytes: this.options.maxJsonBytes ?? IOC_JSON_MAX_BYTES, now: this.options.now ?? Date.now(), ...options });
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.allocUnsafe(READ_CHUNK);
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, READ_CHUNK, null);
        if (bytesRead === 0) break;
        reader.push(buf.subarray(0, bytesRead));
      }
    } finally {
      await fh.close();
    }
    reader.end();
    this.stats.formats[path] = reader.detectedFormat ?? 'unknown';
  }

  /** A feed given as text (the bundle's `iocFeeds`), read in the plain format unless told. */
  loadText(name: string, text: string, options: IocParseOptions): void {
    this.stats.files++;
    const reader = new FeedReader(name, this.sink(name), { maxJsonBytes: this.options.maxJsonBytes ?? IOC_JSON_MAX_BYTES, now: this.options.now ?? Date.now(), feed: name, ...options });
    reader.push(Buffer.from(text, 'utf8'));
    reader.end();
    this.stats.formats[name] = reader.detectedFormat ?? 'unknown';
  }

  finish(started: number): IocLoad {
    const { index, stats } = this;
    stats.loaded = index.size;
    for (const [type, n] of Object.entries(index.byType)) if (n > 0) stats.byType[type] = n;
    stats.loadMs = Math.round(performance.now() - started);
    return { index, stats };
  }

  /** A MISP feed: manifest.json lists the events, each `<uuid>.json` beside it. */
  async loadMispFeed(dir: string): Promise<void> {
    const manifestPath = join(dir, 'manifest.json');
    const size = (await stat(manifestPath)).size;
    if (size > (this.options.maxJsonBytes ?? IOC_JSON_MAX_BYTES)) {
      this.error(manifestPath, 0, 'MISP manifest too large: refused');
      return;
    }
    let uuids: string[];
    try {
      uuids = mispManifestEvents(JSON.parse(await readFile(manifestPath, 'utf8')));
    } catch (e) {
      this.error(manifestPath, 0, `not valid JSON: ${(e as Error).message}`);
      return;
    }
    const feed = basename(dir);
    for (const uuid of uuids) {
      const file = join(dir, `${uuid}.json`);
      try {
        await this.loadFile(file, { format: 'misp-event', feed });
      } catch (e) {
        this.error(file, 0, `listed in manifest.json but not readable: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    }
  }
}

/**
 * Loads every path: a feed file (format detected), a MISP feed directory (manifest.json), or a
 * directory of feed files. A path that cannot be read at all is an IocFeedError (fix the flag);
 * broken content is listed in stats.errors and the rest loads.
 */
export async function loadIocFiles(paths: string[], options: IocLoadOptions = {}): Promise<IocLoad> {
  const started = performance.now();
  const session = new LoadSession(options);
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch (e) {
      throw new IocFeedError(path, `cannot read the IOC feed (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); check the --ioc path`);
    }
    if (info.isDirectory()) {
      const names = (await readdir(path)).filter((n) => !n.startsWith('.')).sort();
      if (names.includes('manifest.json')) {
        await session.loadMispFeed(path);
        continue;
      }
      for (const name of names) {
        const file = join(path, name);
        if ((await stat(file)).isFile()) await session.loadFile(file);
      }
    } else await session.loadFile(path);
  }
  return session.finish(started);
}

/**
 * Loads feeds given as text — the bundle's `iocFeeds` ({name, lines} in the plain `type value`
 * format) — into one index, with the same statistics as loadIocFiles; `file` in errors is the
 * feed's name.
 */
export function loadIocTexts(feeds: readonly { name: string; lines: string }[], options: IocLoadOptions & { format?: IocFormat } = {}): IocLoad {
  const started = performance.now();
  const session = new LoadSession(options);
  for (const f of feeds) session.loadText(f.name, f.lines, { format: options.format ?? 'plain' });
  return session.finish(started);
}

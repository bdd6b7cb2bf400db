/**
 * A watched folder of capture files (appliances that rotate pcaps): files are taken in name order
 * once complete — unchanged for `settleMs` (a file renamed into place is complete as soon as its
 * last write is that old) — and names starting with `.` or ending `.tmp` / `.part` are left alone.
 * A journal (`capture-journal.json` in the data dir, replaced atomically) lists the files done, so a
 * restart does not take them again; it only keeps names still in the folder.
 *
 * Exactly once across a crash in the middle of a file: the file is processed again from its start,
 * but every spooled alert carries its origin `<file name>#<n>` (n = its rank among the file's
 * alerts), written in the same spool record, so the spool knows the last alert it holds; alerts
 * 1…n of that file are skipped on the second pass. This relies on the pass being deterministic —
 * the same file and the same detection give the same alerts in the same order (detection is built
 * afresh per file, time is packet time). A bundle installed between the crash and the restart can
 * break that for the one interrupted file.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './spool/spool.ts';
import { sleep } from './uplink.ts';

const SKIPPED_NAME = /^\.|\.(tmp|part)$/i;

export interface FolderOptions {
  dir: string;
  journalFile: string;
  settleMs: number;
  scanMs: number;
  now?: () => number;
}

export class CaptureFolder {
  private readonly done: Set<string>;

  constructor(private readonly options: FolderOptions) {
    this.done = new Set(readJournal(options.journalFile));
  }

  get processed(): number {
    return this.done.size;
  }

  /** Complete files not yet done, in name order. */
  ready(): string[] {
    const now = (this.options.now ?? Date.now)();
    let names: string[];
    try {
      names = readdirSync(this.options.dir);
    } catch {
      return [];
    }
    const out: string[] = [];
    for (const name of names.sort()) {
      if (SKIPPED_NAME.test(name) || this.done.has(name)) continue;
      try {
        const st = statSync(join(this.options.dir, name));
        if (st.isFile() && now - st.mtimeMs >= this.options.settleMs) out.push(name);
      } catch {
        // gone since the listing
      }
    }
    return out;
  }

  /** Waits for the next complete file; null once the signal aborts. */
  async next(signal: AbortSignal): Promise<string | null> {
    while (!signal.aborted) {
      const [first] = this.ready();
      if (first !== undefined) return first;
      await sleep(this.options.scanMs, signal);
    }
    return null;
  }

  markDone(name: string, deleteFile: boolean): void {
    this.done.add(name);
    if (deleteFile) rmSync(join(this.options.dir, name), { force: true });
    let present: Set<string>;
    try {
      present = new Set(readdirSync(this.options.dir));
    } catch {
      present = new Set();
    }
    for (const n of this.done) if (!present.has(n) && n !== name) this.done.delete(n);
    if (deleteFile) this.done.delete(name);
    writeFileAtomic(this.options.journalFile, Buffer.from(`${JSON.stringify({ done: [...this.done].sort() })}\n`));
  }
}

function readJournal(file: string): string[] {
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as { done?: unknown };
    return Array.isArray(raw.done) ? raw.done.filter((n): n is string => typeof n === 'string') : [];
  } catch {
    return [];
  }
}

/** `capture-0001.pcap#17` → { file, index }; null when the origin names no file. */
export function parseOrigin(origin: string): { file: string; index: number } | null {
  const at = origin.lastIndexOf('#');
  if (at <= 0) return null;
  const index = Number(origin.slice(at + 1));
  return Number.isSafeInteger(index) && index > 0 ? { file: origin.slice(0, at), index } : null;
}

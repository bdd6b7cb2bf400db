/**
 * The queue's filters, and the analyst's named views of them kept in this browser's localStorage
 * (per browser, not per account: views are a convenience, not shared configuration).
 */
import type { AlertDirection, AlertEngine, IncidentPriority, IncidentStatus } from './incidentModel.ts';

export interface QueueFilters {
  statuses: IncidentStatus[];
  priorities: IncidentPriority[];
  organizationId: string | null;
  direction: AlertDirection | null;
  engine: AlertEngine | null;
  /** datetime-local values (the reader's clock), '' for none. */
  from: string;
  to: string;
  sort: 'priority' | 'recent';
}

export const defaultFilters: QueueFilters = { statuses: [], priorities: [], organizationId: null, direction: null, engine: null, from: '', to: '', sort: 'priority' };

export interface SavedView {
  name: string;
  filters: QueueFilters;
}

const storageKey = 'otasuke.incidentViews';

/** The API's query for these filters; an empty status list means the server's default (open ones). */
export function queryOfFilters(f: QueueFilters) {
  const iso = (local: string) => (local ? new Date(local).toISOString() : undefined);
  const from = iso(f.from);
  const to = iso(f.to);
  return {
    ...(f.statuses.length ? { status: f.statuses } : {}),
    ...(f.priorities.length ? { priority: f.priorities } : {}),
    ...(f.organizationId ? { organizationId: f.organizationId } : {}),
    ...(f.direction ? { direction: f.direction } : {}),
    ...(f.engine ? { engine: f.engine } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    sort: f.sort,
  };
}

export function loadViews(storage: Pick<Storage, 'getItem'> = localStorage): SavedView[] {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(storageKey) ?? '[]');
    if (!Array.isArray(parsed)) return [];
    return parsed
      .filter((v): v is SavedView => typeof v === 'object' && v !== null && typeof (v as SavedView).name === 'string' && typeof (v as SavedView).filters === 'object')
      .map((v) => ({ name: v.name, filters: { ...defaultFilters, ...v.filters } }));
  } catch {
    // A hand-edited or corrupted entry: start again rather than break the queue.
    return [];
  }
}

/** Saves (or replaces, by name) a view and answers the new list. */
export function saveView(views: SavedView[], view: SavedView, storage: Pick<Storage, 'setItem'> = localStorage): SavedView[] {
  const next = [...views.filter((v) => v.name !== view.name), view].sort((a, b) => a.name.localeCompare(b.name, 'ja'));
  storage.setItem(storageKey, JSON.stringify(next));
  return next;
}

export function deleteView(views: SavedView[], name: string, storage: Pick<Storage, 'setItem'> = localStorage): SavedView[] {
  const next = views.filter((v) => v.name !== name);
  storage.setItem(storageKey, JSON.stringify(next));
  return next;
}

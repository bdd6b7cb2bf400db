import { describe, expect, it } from 'vitest';
import { defaultFilters, deleteView, loadViews, queryOfFilters, saveView } from './savedViews.ts';

function memoryStorage(initial: string | null = null) {
  let value = initial;
  return { getItem: () => value, setItem: (_key: string, next: string) => void (value = next), read: () => value };
}

describe('saved views', () => {
  it('saves by name (replacing the same name), keeps them sorted, and deletes', () => {
    const storage = memoryStorage();
    let views = saveView([], { name: '夜間', filters: { ...defaultFilters, priorities: ['P1'] } }, storage);
    views = saveView(views, { name: 'P1/P2', filters: { ...defaultFilters, priorities: ['P1', 'P2'] } }, storage);
    views = saveView(views, { name: '夜間', filters: { ...defaultFilters, sort: 'recent' } }, storage);
    expect(views.map((v) => v.name)).toEqual(['P1/P2', '夜間']);
    expect(loadViews(storage)).toEqual(views);
    expect(deleteView(views, 'P1/P2', storage).map((v) => v.name)).toEqual(['夜間']);
    expect(loadViews(storage).map((v) => v.name)).toEqual(['夜間']);
  });

  it('starts empty from a corrupted entry, and fills filters missing in an older entry', () => {
    expect(loadViews(memoryStorage('{not json'))).toEqual([]);
    expect(loadViews(memoryStorage('{"name":"x"}'))).toEqual([]);
    expect(loadViews(memoryStorage('[{"name":"old","filters":{"priorities":["P2"]}}]'))).toEqual([{ name: 'old', filters: { ...defaultFilters, priorities: ['P2'] } }]);
  });

  it('turns filters into the API query (no status: the server default, open ones)', () => {
    expect(queryOfFilters(defaultFilters)).toEqual({ sort: 'priority' });
    const query = queryOfFilters({ ...defaultFilters, statuses: ['new'], priorities: ['P1'], direction: 'outbound', engine: 'ioc', from: '2026-11-01T09:00', sort: 'recent' });
    expect(query).toEqual({ status: ['new'], priority: ['P1'], direction: 'outbound', engine: 'ioc', from: new Date('2026-11-01T09:00').toISOString(), sort: 'recent' });
  });
});

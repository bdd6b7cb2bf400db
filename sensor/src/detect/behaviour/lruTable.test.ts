import { describe, expect, it } from 'vitest';
import { AlertGate, EventWindow, LruTable } from './lruTable.ts';

describe('LruTable', () => {
  it('forgets the least recently used entry when full', () => {
    const t = new LruTable<string, number>(4);
    for (const [i, k] of ['a', 'b', 'c', 'd'].entries()) t.set(k, i);
    expect(t.get('a')).toBe(0); // aged past half the capacity: a becomes the youngest
    t.set('e', 4);
    expect([t.peek('a'), t.peek('b'), t.peek('e'), t.size, t.evicted]).toEqual([0, undefined, 4, 4, 1]);
    expect(t.obtain('f', () => 5)).toBe(5);
    expect(t.peek('c')).toBeUndefined();
    expect(() => new LruTable(0)).toThrow(RangeError);
  });

  it('keeps a key in use through a flood of new keys', () => {
    const t = new LruTable<string, number>(100);
    t.set('hot', 1);
    for (let i = 0; i < 10_000; i++) {
      t.set(`k${i}`, i);
      expect(t.get('hot')).toBe(1);
    }
    expect([t.size, t.evicted]).toEqual([100, 9_901]);
  });
});

describe('AlertGate', () => {
  it('lets a key through once per realert period of packet time', () => {
    const g = new AlertGate(60, 16);
    expect([g.allow('k', 0), g.allow('k', 59), g.allow('j', 59), g.allow('k', 60), g.closed('k', 100), g.closed('k', 120)]).toEqual([true, false, true, true, true, false]);
  });

  it('holds at most its capacity of keys', () => {
    const g = new AlertGate(3600, 16);
    for (let i = 0; i < 1000; i++) g.allow(`k${i}`, i);
    expect(g.size).toBe(16);
  });
});

describe('EventWindow', () => {
  it('counts the events of the last windowSec and holds at most capacity', () => {
    const w = new EventWindow(3);
    expect([w.add(0, 10), w.add(5, 10), w.add(10, 10), w.add(11, 10)]).toEqual([1, 2, 2, 3]);
    expect(w.first).toBe(5);
    expect([w.add(12, 100), w.count]).toEqual([3, 3]);
  });
});

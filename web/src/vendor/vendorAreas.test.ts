import { describe, expect, it } from 'vitest';
import { formatAreas, parseAreas } from './vendorAreas.ts';

describe('vendor areas box', () => {
  it('reads one area a line, a prefecture alone meaning all of it', () => {
    expect(parseAreas('大阪府 大阪市北区\n\n  大阪府\u3000堺市堺区 \n京都府\n')).toEqual([
      { prefecture: '大阪府', city: '大阪市北区' },
      { prefecture: '大阪府', city: '堺市堺区' },
      { prefecture: '京都府', city: null },
    ]);
  });

  it('writes back what it reads', () => {
    const areas = [{ prefecture: '大阪府', city: '東大阪市' }, { prefecture: '兵庫県', city: null }];
    expect(parseAreas(formatAreas(areas))).toEqual(areas);
  });
});

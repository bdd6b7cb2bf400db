import { describe, expect, it } from 'vitest';
import { encodeIso2022jp, encodeIso2022jpWords, Iso2022jpError, iso2022jpObstacle } from './iso2022jp.ts';

const escaped = (bytes: Buffer) => bytes.toString('latin1').replaceAll('\x1b', '<ESC>');

describe('encodeIso2022jp', () => {
  it('writes JIS X 0208 between ESC $ B and ESC ( B, and ASCII as is', () => {
    expect(escaped(encodeIso2022jp('お助け隊 Otasuke'))).toBe('<ESC>$B$*=u$1Bb<ESC>(B Otasuke');
    expect(escaped(encodeIso2022jp('ASCII only'))).toBe('ASCII only');
    expect(encodeIso2022jp('')).toEqual(Buffer.alloc(0));
  });

  it('ends every line back in ASCII', () => {
    expect(escaped(encodeIso2022jp('一行目\r\n二行目'))).toBe('<ESC>$B0l9TL\\<ESC>(B\r\n<ESC>$BFs9TL\\<ESC>(B');
  });

  it('writes both Unicode mappings of a JIS character (〜 and ～) as that character', () => {
    expect(encodeIso2022jp('〜')).toEqual(encodeIso2022jp('～'));
    expect(escaped(encodeIso2022jp('〜'))).toBe('<ESC>$B!A<ESC>(B');
    expect(encodeIso2022jp('−')).toEqual(encodeIso2022jp('－'));
  });

  it('refuses what it cannot carry', () => {
    expect(() => encodeIso2022jp('ｶﾅ')).toThrow(Iso2022jpError);
  });
});

describe('iso2022jpObstacle', () => {
  it.each([
    ['半角ｶﾅ', 'ISO-2022-JP cannot represent "ｶ" (U+FF76)'],
    ['絵文字😀', 'ISO-2022-JP cannot represent "😀" (U+1F600)'],
    ['丸数字①', 'ISO-2022-JP cannot represent "①" (U+2460)'],
    ['㈱お助け', 'ISO-2022-JP cannot represent "㈱" (U+3231)'],
    ['髙橋', 'ISO-2022-JP cannot represent "髙" (U+9AD9)'],
    ['𠮷野家', 'ISO-2022-JP cannot represent "𠮷" (U+20BB7)'],
    ['¥100', 'ISO-2022-JP cannot represent "¥" (U+00A5)'],
    ['é', 'ISO-2022-JP cannot represent "é" (U+00E9)'],
    ['escape\x1b', 'ISO-2022-JP cannot represent "\\u001b" (U+001B)'],
  ])('%s: %s', (text, reason) => {
    expect(iso2022jpObstacle(text)).toBe(reason);
  });

  it('accepts kanji, kana, full-width forms, Greek, Cyrillic and box drawing', () => {
    expect(iso2022jpObstacle('【お助け隊】不審な通信を検知しました。ＡＢＣ１２３ αβγ АБВ ─│┌ 凜熙 〜')).toBeUndefined();
  });
});

describe('encodeIso2022jpWords', () => {
  it('splits into encoded words that each end in ASCII and fit one 78-column header line', () => {
    const subject = '【お助け隊】不審な通信を検知しました（東京都千代田区の拠点、センサー１号機）';
    const words = encodeIso2022jpWords(subject).split('\r\n ');
    expect(words.length).toBeGreaterThan(1);
    const decoded = words.map((word) => {
      expect(word).toMatch(/^=\?ISO-2022-JP\?B\?[A-Za-z0-9+/=]+\?=$/);
      expect(`Subject: ${word}`.length).toBeLessThanOrEqual(78);
      const bytes = Buffer.from(word.slice('=?ISO-2022-JP?B?'.length, -2), 'base64');
      expect(escaped(bytes)).toMatch(/^<ESC>\$B.*<ESC>\(B$/);
      return bytes;
    });
    // Joined, the words are the whole subject: a shift back to ASCII and out again is all they add.
    const joined = escaped(Buffer.concat(decoded)).replaceAll('<ESC>(B<ESC>$B', '');
    expect(joined).toBe(escaped(encodeIso2022jp(subject)));
  });
});

/**
 * ISO-2022-JP (RFC 1468) encoding: ASCII plus JIS X 0208 in 7 bits, switched by escape sequences.
 * Neither nodemailer ("optimised for UTF-8 and does not support other charsets", nodemailer#828)
 * nor iconv-lite can write it, but iconv-lite's EUC-JP holds JIS X 0208 shifted by 0x80, so the
 * codes come from there and only the escapes are written here.
 */
import iconv from 'iconv-lite';

const ESC = 0x1b;
const TO_ASCII = [ESC, 0x28, 0x42]; // ESC ( B
const TO_JIS_X_0208 = [ESC, 0x24, 0x42]; // ESC $ B

/**
 * Characters that are one JIS X 0208 character but have two Unicode mappings: JIS's own (wave
 * dash, minus sign, ...) and Microsoft's (fullwidth tilde, fullwidth hyphen-minus, ...). iconv-lite
 * knows only one of each; both are written as the JIS character, which receivers decode to
 * whichever mapping they use. Without this, every "10:00〜12:00" would leave ISO-2022-JP.
 */
const VARIANT_CODES = new Map<number, number>([
  [0x301c, 0x2141], // 〜 WAVE DASH
  [0xff5e, 0x2141], // ～ FULLWIDTH TILDE
  [0x2016, 0x2142], // ‖ DOUBLE VERTICAL LINE
  [0x2212, 0x215d], // − MINUS SIGN
  [0x00a2, 0x2171], // ¢
  [0x00a3, 0x2172], // £
  [0x00ac, 0x224c], // ¬
  [0x2014, 0x213d], // — EM DASH
]);

/** Encoding of one character: null when ISO-2022-JP cannot carry it. */
function jisCode(char: string): number | null {
  const codePoint = char.codePointAt(0)!;
  const variant = VARIANT_CODES.get(codePoint);
  if (variant !== undefined) return variant;
  const euc = iconv.encode(char, 'euc-jp');
  if (euc.length !== 2) return null; // unmapped ('?'), half-width kana (0x8E xx) or JIS X 0212 (0x8F xx xx)
  const [high, low] = [euc[0]! - 0x80, euc[1]! - 0x80];
  // Rows 1-8 (symbols, kana, Latin, Greek, Cyrillic, box drawing) and 16-84 (kanji) are JIS X 0208;
  // row 13 (①, ㈱) and rows 89-92 (髙, 﨑) are NEC and IBM additions that strict receivers garble.
  const row = high - 0x20;
  if (low < 0x21 || low > 0x7e || !((row >= 1 && row <= 8) || (row >= 16 && row <= 84))) return null;
  if (iconv.decode(euc, 'euc-jp') !== char) return null; // a fallback mapping, not this character
  return (high << 8) | low;
}

/** ASCII that may stand in ISO-2022-JP text: not ESC, SO, SI (they would switch charsets) or NUL. */
function isPlainAscii(codePoint: number): boolean {
  return codePoint < 0x80 && codePoint !== 0 && codePoint !== ESC && codePoint !== 0x0e && codePoint !== 0x0f;
}

/** Why `text` cannot be written in ISO-2022-JP (its first such character), or undefined if it can. */
export function iso2022jpObstacle(text: string): string | undefined {
  for (const char of text) {
    const codePoint = char.codePointAt(0)!;
    if (!isPlainAscii(codePoint) && jisCode(char) === null) {
      const hex = codePoint.toString(16).toUpperCase().padStart(4, '0');
      return `ISO-2022-JP cannot represent ${JSON.stringify(char)} (U+${hex})`;
    }
  }
  return undefined;
}

export class Iso2022jpError extends Error {}

/**
 * The ISO-2022-JP bytes of `text`, starting and ending in ASCII. Since CR and LF are ASCII, every
 * line also ends back in ASCII, as RFC 1468 requires. Throws Iso2022jpError on a character it
 * cannot carry (check with iso2022jpObstacle first).
 */
export function encodeIso2022jp(text: string): Buffer {
  const bytes: number[] = [];
  let inJis = false;
  for (const char of text) {
    const codePoint = char.codePointAt(0)!;
    if (isPlainAscii(codePoint)) {
      if (inJis) bytes.push(...TO_ASCII);
      inJis = false;
      bytes.push(codePoint);
      continue;
    }
    const code = jisCode(char);
    if (code === null) throw new Iso2022jpError(iso2022jpObstacle(char));
    if (!inJis) bytes.push(...TO_JIS_X_0208);
    inJis = true;
    bytes.push(code >> 8, code & 0xff);
  }
  if (inJis) bytes.push(...TO_ASCII);
  return Buffer.from(bytes);
}

/** RFC 2047 allows 75; 66 keeps "Subject: " plus one word within the 78 columns RFC 5322 asks for. */
const MAX_ENCODED_WORD = 66;
const WORD_PREFIX = '=?ISO-2022-JP?B?';
const WORD_SUFFIX = '?=';

/**
 * A header value as RFC 2047 encoded words (`=?ISO-2022-JP?B?…?=`) joined by folding whitespace.
 * Each word is a complete escape sequence that ends back in ASCII, so a reader decoding words one
 * by one never carries a shift state across them; the folding between words is dropped on decode.
 */
export function encodeIso2022jpWords(value: string): string {
  const maxBytes = Math.floor((MAX_ENCODED_WORD - WORD_PREFIX.length - WORD_SUFFIX.length) / 4) * 3;
  const words: string[] = [];
  let chunk = '';
  let encoded: Buffer = Buffer.alloc(0);
  for (const char of value) {
    const candidate = encodeIso2022jp(chunk + char);
    if (candidate.length > maxBytes && chunk) {
      words.push(WORD_PREFIX + encoded.toString('base64') + WORD_SUFFIX);
      chunk = char;
      encoded = encodeIso2022jp(char);
    } else {
      chunk += char;
      encoded = candidate;
    }
  }
  if (chunk) words.push(WORD_PREFIX + encoded.toString('base64') + WORD_SUFFIX);
  return words.join('\r\n ');
}

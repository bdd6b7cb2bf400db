/**
 * The catalogs are the only place UI text lives: ja and en have exactly the same keys, no empty
 * text, every t('…') key used in the code exists, and no component hard-codes text a person reads.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ja } from './ja.ts';
import { en } from './en.ts';

const srcDir = fileURLToPath(new URL('..', import.meta.url));

function flatten(catalog: object, prefix = ''): Map<string, unknown> {
  const entries = new Map<string, unknown>();
  for (const [key, value] of Object.entries(catalog)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'object' && value !== null) for (const [k, v] of flatten(value, path)) entries.set(k, v);
    else entries.set(path, value);
  }
  return entries;
}

function sourceFiles(dir: string, extension: RegExp): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path, extension);
    return extension.test(entry.name) && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const jaKeys = flatten(ja);
const enKeys = flatten(en);
const tsxFiles = sourceFiles(srcDir, /\.tsx$/);

// Letters of any script a reader would read: Latin, kana, kanji, full-width forms.
const readable = /[A-Za-z\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]/;

/** Text between a closing `>` and the next `<` that is not code (no braces, parentheses, semicolons). */
function jsxTextLiterals(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(/>([^<>{}]+)</g)) {
    const text = (match[1] ?? '').trim();
    if (text && readable.test(text) && !/[();=]|=>|&&/.test(text)) found.push(text);
  }
  return found;
}

const textProps = ['label', 'placeholder', 'title', 'aria-label', 'alt', 'description', 'error', 'aria-description'];

/** String-valued props that people read, written as a literal instead of a t('…') call. */
function literalTextProps(source: string): string[] {
  const found: string[] = [];
  const pattern = new RegExp(`\\s(${textProps.join('|')})=(?:"([^"]*)"|'([^']*)'|\\{\\s*["'\`]([^"'\`]*)["'\`]\\s*\\})`, 'g');
  for (const match of source.matchAll(pattern)) {
    const value = match[2] ?? match[3] ?? match[4] ?? '';
    if (readable.test(value) && !jaKeys.has(value)) found.push(`${match[1]}=${value}`);
  }
  return found;
}

describe('i18n catalogs', () => {
  it('ja and en have exactly the same keys', () => {
    expect([...enKeys.keys()].sort()).toEqual([...jaKeys.keys()].sort());
  });

  it('has no empty or non-string text', () => {
    for (const [name, entries] of [['ja', jaKeys], ['en', enKeys]] as const) {
      for (const [key, value] of entries) {
        expect(typeof value, `${name}: ${key}`).toBe('string');
        expect((value as string).trim(), `${name}: ${key}`).not.toBe('');
      }
    }
  });

  it('uses the same {{placeholders}} in both languages', () => {
    const placeholders = (text: unknown) => [...String(text).matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
    for (const [key, value] of jaKeys) expect(placeholders(enKeys.get(key)), key).toEqual(placeholders(value));
  });

  it('every literal t() key in the code exists in the catalog', () => {
    const missing: string[] = [];
    for (const file of sourceFiles(srcDir, /\.tsx?$/)) {
      const source = readFileSync(file, 'utf8');
      for (const match of source.matchAll(/\bt\(\s*'([^'`$]+)'/g)) {
        if (!jaKeys.has(match[1] ?? '')) missing.push(`${relative(srcDir, file)}: ${match[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('finds the components to scan', () => {
    expect(tsxFiles.length).toBeGreaterThan(5);
  });

  it('no component hard-codes text a person reads', () => {
    const offenders: string[] = [];
    for (const file of tsxFiles) {
      const source = readFileSync(file, 'utf8')
        // Comments are for developers, not readers.
        .replace(/\{\/\*[\s\S]*?\*\/\}/g, '')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, '');
      for (const text of [...jsxTextLiterals(source), ...literalTextProps(source)]) offenders.push(`${relative(srcDir, file)}: ${text}`);
    }
    expect(offenders).toEqual([]);
  });

  it('the scanner catches hard-coded text (self-check)', () => {
    expect(jsxTextLiterals('<Button onClick={go}>ログイン</Button>')).toEqual(['ログイン']);
    expect(jsxTextLiterals('<Text>\n  Sign in\n</Text>')).toEqual(['Sign in']);
    expect(jsxTextLiterals('<Text>{t("login.title")}</Text>')).toEqual([]);
    expect(literalTextProps('<TextInput label="Email" />')).toEqual(['label=Email']);
    expect(literalTextProps('<Burger aria-label="メニュー" />')).toEqual(['aria-label=メニュー']);
    expect(literalTextProps("<Image alt={'QR code'} />")).toEqual(['alt=QR code']);
    expect(literalTextProps('<TextInput label={t("login.email")} />')).toEqual([]);
  });
});

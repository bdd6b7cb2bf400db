import { describe, it, expect } from 'vitest';
import { pythonContains, pythonEquals, pythonLen, pythonRepr, pythonStr } from './pythonValues.ts';
import { compareVersions, judgeRequirements, parseSuricataVersion, versionMatches } from './requirements.ts';

describe('pythonEquals', () => {
  it('follows Python ==', () => {
    expect(pythonEquals(1, true)).toBe(true);
    expect(pythonEquals(0, false)).toBe(true);
    expect(pythonEquals(2, true)).toBe(false);
    expect(pythonEquals('1', 1)).toBe(false);
    expect(pythonEquals(null, undefined)).toBe(true);
    expect(pythonEquals(0, null)).toBe(false);
    expect(pythonEquals([1, 'a', { b: [true] }], [1, 'a', { b: [1] }])).toBe(true);
    expect(pythonEquals({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(pythonEquals(new Date(0), '1970-01-01T00:00:00.000Z')).toBe(false);
  });
});

describe('pythonStr / pythonRepr', () => {
  it('prints as Python str() does', () => {
    expect(pythonStr('a')).toBe('a');
    expect(pythonStr(true)).toBe('True');
    expect(pythonStr(null)).toBe('None');
    expect(pythonStr(12)).toBe('12');
    expect(pythonStr(1.5)).toBe('1.5');
    expect(pythonStr(2 ** 60)).toBe('1152921504606846976'); // every digit, no exponent
    expect(pythonStr(['a', 1, false])).toBe("['a', 1, False]");
    expect(pythonStr({ k: "it's" })).toBe('{\'k\': "it\'s"}');
    expect(pythonRepr('a\nb')).toBe("'a\\nb'");
  });
});

describe('pythonLen / pythonContains', () => {
  it('len counts code points, items and keys; -1 for the rest', () => {
    expect(pythonLen('日本')).toBe(2);
    expect(pythonLen('😀')).toBe(1);
    expect(pythonLen([1, 2, 3])).toBe(3);
    expect(pythonLen({ a: 1 })).toBe(1);
    expect(pythonLen(5)).toBe(-1);
    expect(pythonLen(undefined)).toBe(-1);
  });
  it('in: substring, list member, dict key; False on a TypeError', () => {
    expect(pythonContains('abc', 'b')).toBe(true);
    expect(pythonContains([1, 2], true)).toBe(true);
    expect(pythonContains({ a: 1 }, 'a')).toBe(true);
    expect(pythonContains({ a: 1 }, 1)).toBe(false);
    expect(pythonContains(12, 1)).toBe(false);
    expect(pythonContains(undefined, 'a')).toBe(false);
  });
});

describe('Suricata versions and requires', () => {
  const ours = { version: '8.0.6', features: new Set(['HAVE_JA3', 'HAVE_JA4']) };

  it('parses versions as suricata-verify does', () => {
    expect(parseSuricataVersion('4.1.0-dev')).toEqual({ major: 4, minor: 1, patch: 0 });
    expect(parseSuricataVersion(8)).toEqual({ major: 8, minor: undefined, patch: undefined });
    expect(parseSuricataVersion('7.0.14')).toEqual({ major: 7, minor: 0, patch: 14 });
    expect(parseSuricataVersion('dev')).toBeUndefined();
  });

  it('compares with missing parts as 0 and matches `version` loosely', () => {
    const v = (text: string) => parseSuricataVersion(text)!;
    expect(compareVersions(v('8.0.6'), v('8'))).toBeGreaterThan(0);
    expect(compareVersions(v('8.0.6'), v('8.0.7'))).toBeLessThan(0);
    expect(compareVersions(v('8.0.6'), v('8.0.6'))).toBe(0);
    expect(versionMatches(v('8.0.6'), v('8'))).toBe(true);
    expect(versionMatches(v('8.0.6'), v('8.0'))).toBe(true);
    expect(versionMatches(v('8.0.6'), v('8.1'))).toBe(false);
  });

  it('judges requires against the sensor', () => {
    expect(judgeRequirements({ 'min-version': 8, features: ['HAVE_JA4'] }, ours, '/')).toEqual({ satisfied: true });
    expect(judgeRequirements({ 'min-version': '8.0.6' }, ours, '/')).toEqual({ satisfied: true });
    expect(judgeRequirements({ 'min-version': 9 }, ours, '/')).toEqual({ satisfied: false, reason: 'requires at least version 9' });
    expect(judgeRequirements({ 'lt-version': 8 }, ours, '/')).toEqual({ satisfied: false, reason: 'for version less than 8' });
    expect(judgeRequirements({ 'lt-version': 9 }, ours, '/')).toEqual({ satisfied: true });
    expect(judgeRequirements({ version: '7.0' }, ours, '/')).toEqual({ satisfied: false, reason: 'only for version 7.0' });
    expect(judgeRequirements({ features: ['HAVE_LUA'] }, ours, '/')).toEqual({ satisfied: false, reason: 'requires feature HAVE_LUA' });
    expect(judgeRequirements({ files: ['nothing-here.txt'] }, ours, '/nonexistent')).toEqual({ satisfied: false, reason: 'requires file nothing-here.txt' });
    expect(judgeRequirements({ script: ['true'] }, ours, '/')).toEqual({
      satisfied: false,
      reason: 'requires a script to decide (scripts from test folders are never run)',
    });
    expect(judgeRequirements({ pcap: false }, ours, '/')).toEqual({ satisfied: true });
    expect(judgeRequirements({ colour: 'red' }, ours, '/')).toEqual({ satisfied: false, invalid: 'unknown requires type: colour' });
    expect(judgeRequirements(null, ours, '/')).toEqual({ satisfied: true });
  });
});

/**
 * `otasuke sensor rules check`: prints the load statistics of files and folders, exit codes for
 * bad flags, missing paths and rule sets of which nothing loads.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseVarFlags } from './rulesCheckCommand.ts';
import { runRulesCheck } from './runRulesCheck.ts';

function capture(): { out: string[]; io: { stdout: { write(t: string): boolean }; stderr: { write(t: string): boolean } }; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: { write: (t) => out.push(t) > 0 }, stderr: { write: (t) => err.push(t) > 0 } } };
}

describe('rules check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'otasuke-rules-'));
  writeFileSync(join(dir, 'a.rules'), 'alert tcp $HOME_NET any -> $CUSTOM_NET 80 (msg:"a"; content:"x"; sid:1;)\n# alert tcp any any -> any any (sid:2;)\nalert tcp any any -> any any (msg:"bad"; content:"|zz|"; sid:3;)\n');
  writeFileSync(join(dir, 'b.rules'), 'alert udp any any -> any 53 (msg:"b"; content:"y"; sid:4;)\n');
  writeFileSync(join(dir, 'notes.txt'), 'not rules');

  it('loads a folder of *.rules with the variables given and prints the statistics', async () => {
    const c = capture();
    const code = await runRulesCheck([dir], { var: ['CUSTOM_NET=[203.0.113.0/24]'] }, c.io);
    expect(code).toBe(0);
    const text = c.out.join('');
    expect(text).toContain('ルールファイル / rule files: 2');
    expect(text).toContain('ルール / rules: 4 (有効 active 3, コメントアウト commented out 1)');
    expect(text).toContain('読込 / loaded: 2 (66.7% of active)');
    expect(text).toContain('       1  content: bad hex');
    expect(text).toContain(`${join(dir, 'a.rules')}:3: "z" is not a hex digit in "|zz|"`);
  });

  it('skips a rule whose variable is not defined, with the reason', async () => {
    const c = capture();
    expect(await runRulesCheck([join(dir, 'a.rules')], {}, c.io)).toBe(1);
    expect(c.out.join('')).toContain('undefined variable $CUSTOM_NET');
  });

  it('answers 2 for a missing path or a malformed --var', async () => {
    const missing = capture();
    expect(await runRulesCheck([join(dir, 'nope.rules')], {}, missing.io)).toBe(2);
    expect(missing.err.join('')).toContain('not found');
    const bad = capture();
    expect(await runRulesCheck([dir], { var: ['HOME_NET'] }, bad.io)).toBe(2);
    expect(parseVarFlags(['$HOME_NET=[10.0.0.0/8]', 'X'])).toEqual({ vars: { HOME_NET: '[10.0.0.0/8]' }, bad: ['X'] });
  });
});

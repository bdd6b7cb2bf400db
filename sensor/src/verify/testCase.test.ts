import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_VERIFY_TESTS_DIR,
  findVerifyCaseDirs,
  loadVerifyCase,
  readEveOutputConfig,
  readSuricataArgs,
  splitArgs,
  parseVerifyYaml,
} from './testCase.ts';
import type { VerifyCase } from './testCase.ts';
import { LOGGING_ONLY_CASES, classifyVerifyCase, classifyChecks } from './caseKind.ts';

const present = existsSync(DEFAULT_VERIFY_TESTS_DIR);
if (!present) console.warn(`\n!!! ${DEFAULT_VERIFY_TESTS_DIR} is absent: the suricata-verify case tests are SKIPPED !!!\n`);

describe.skipIf(!present)('every suricata-verify case under ../shared/data', () => {
  let cases: VerifyCase[] = [];
  beforeAll(() => {
    cases = findVerifyCaseDirs().map((dir) => loadVerifyCase(dir, { rootDir: DEFAULT_VERIFY_TESTS_DIR }));
  });

  it('parses all 67 test.yaml files, none failing to load', () => {
    expect(cases).toHaveLength(67);
    expect(cases.filter((c) => !c.applicability.runnable && c.applicability.status === 'fail').map((c) => c.name)).toEqual([]);
    expect(cases.reduce((sum, c) => sum + c.checks.length, 0)).toBe(228); // 226 filter + 2 shell
  });

  it('runs 59 and skips 8, each with its reason', () => {
    const skipped = Object.fromEntries(cases.filter((c) => !c.applicability.runnable).map((c) => [c.name, c.applicability.runnable ? '' : c.applicability.reason]));
    expect(skipped).toEqual({
      'datasets-match-subdomain': 'requires at least version 8.0.7',
      'detection_filter-distinct-dstport': 'requires at least version 9',
      'http-sha256-drop': 'needs IPS mode (--simulate-ips: drop verdicts), which the sensor does not have',
      'iponly-ipv6-range-01': 'requires at least version 9',
      'iprep-11-isset': 'runs its own Suricata command line (command:)',
      'issue-4280-iprep': 'runs its own Suricata command line (command:)',
      'pcap-file-stdin': 'runs its own Suricata command line (command:)',
      'tls/tls-ja3s': 'requires feature HAVE_LUA',
    });
    const runnable = cases.filter((c) => c.applicability.runnable);
    expect(runnable).toHaveLength(59);
    console.log(`suricata-verify: ${cases.length} cases, ${runnable.length} runnable, ${cases.length - runnable.length} skipped`);
  });

  it('finds every runnable case its capture, and the rules when the folder has one', () => {
    for (const c of cases.filter((c) => c.applicability.runnable)) {
      expect(c.pcap !== undefined && existsSync(c.pcap), c.name).toBe(true);
      if (c.rules !== undefined) expect(existsSync(c.rules), c.name).toBe(true);
    }
    const byName = new Map(cases.map((c) => [c.name, c]));
    const dig = byName.get('dns/dns-udp-eve-dig')!;
    expect(dig.pcap).toBe(join(DEFAULT_VERIFY_TESTS_DIR, 'cond-log-dns-dig', 'input.pcap'));
    expect(dig.rules).toBeUndefined();
    const bug4376 = byName.get('bug-4376')!;
    expect(bug4376.pcap).toBe(join(DEFAULT_VERIFY_TESTS_DIR, 'bug-4376', 'syn_retransmit_with_ts.pcap'));
    expect(bug4376.rules).toBe(join(DEFAULT_VERIFY_TESTS_DIR, 'bug-4376', 'test.rules'));
    expect(bug4376.options).toEqual({
      checksumValidation: 'none',
      settings: { 'vlan.use-for-tracking': 'false', 'app-layer.protocols.http.libhtp.default-config.response-body-limit': '200kb' },
    });
    expect(byName.get('threshold-config-byrule')!.options.settings).toEqual({
      'threshold-file': join(DEFAULT_VERIFY_TESTS_DIR, 'threshold-config-byrule', 'threshold.config'),
    });
    expect(byName.get('ja4-tls')!.options).toEqual({ checksumValidation: 'none', settings: { 'app-layer.protocols.tls.ja4-fingerprints': 'yes' } });
    expect(byName.get('datarep-01')!.files).toEqual(['datarep.rules', 'dns_string.rep', 'input.pcap', 'test.yaml']);
    expect(byName.get('datarep-01')!.rules).toBe(join(DEFAULT_VERIFY_TESTS_DIR, 'datarep-01', 'datarep.rules'));
  });

  it('reads the EVE output each case folder configures', () => {
    const byName = new Map(cases.map((c) => [c.name, c]));
    expect(byName.get('community-id-ipv4')!.eveOutput).toEqual({
      types: [
        { name: 'tls', options: { extended: true } },
        { name: 'flow', options: {} },
      ],
      communityId: true,
      communityIdSeed: 7,
      statsEnabled: undefined,
      include: undefined,
    });
    const google = byName.get('dns/dns-tcp-www-google-com')!.eveOutput!;
    expect(google.types?.map((t) => t.name)).toEqual(['dns']);
    expect(google.statsEnabled).toBe(false);
    expect(byName.get('alert-testmyids')!.eveOutput!.include).toBe('default.yaml');
    expect(byName.get('bug-2158')!.eveOutput).toBeUndefined();
  });

  it('classifies the cases and keeps LOGGING_ONLY_CASES equal to the data', () => {
    const classified = cases.map(classifyVerifyCase);
    const logging = classified.filter((c) => c.kind === 'logging-only');
    expect(logging.map((c) => c.name)).toEqual(LOGGING_ONLY_CASES);
    expect(logging.every((c) => c.runnable)).toBe(true);
    expect(classified.filter((c) => c.kind === 'alert')).toHaveLength(55);
    expect(classified.filter((c) => c.kind === 'other')).toHaveLength(0);
    console.log(`logging-only cases (${logging.length}): ${logging.map((c) => c.name).join(', ')}`);
  });

  it('agrees with CATALOG.tsv: every listed test is a case, and every event type it lists is one we see checked', () => {
    const catalogPath = join(DEFAULT_VERIFY_TESTS_DIR, '..', 'CATALOG.tsv');
    const rows = readFileSync(catalogPath, 'utf8').trim().split('\n').slice(1).map((line) => line.split('\t'));
    const byName = new Map(cases.map((c) => [c.name, c]));
    expect(rows).toHaveLength(cases.length);
    for (const [name, , , , , eventTypes] of rows) {
      const verifyCase = byName.get(name as string);
      expect(verifyCase, name).toBeDefined();
      const ours = classifyChecks(verifyCase!.checks).eventTypes;
      for (const type of (eventTypes ?? '').split(',').filter((t) => t !== '')) expect(ours, `${name}: ${type}`).toContain(type);
    }
  });
});

describe('loadVerifyCase on made-up folders', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'otasuke-verify-case-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const makeCase = (name: string, files: Record<string, string>): string => {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
    return dir;
  };
  const applicability = (dir: string) => loadVerifyCase(dir, { rootDir: root }).applicability;

  it('is runnable with one capture and one rules file of any name', () => {
    const dir = makeCase('plain', { 'test.yaml': 'checks: []\n', 'a.pcap': '', 'x.rules': '' });
    const loaded = loadVerifyCase(dir, { rootDir: root });
    expect(loaded.applicability).toEqual({ runnable: true });
    expect(loaded.name).toBe('plain');
    expect(loaded.rules).toBe(join(dir, 'x.rules'));
  });

  it('fails on two captures or two rules files, as suricata-verify does', () => {
    expect(applicability(makeCase('two-pcaps', { 'test.yaml': '', 'a.pcap': '', 'b.pcapng': '' }))).toEqual({
      runnable: false,
      status: 'fail',
      reason: 'More than 1 pcap file found: a.pcap, b.pcapng',
    });
    expect(applicability(makeCase('two-rules', { 'test.yaml': '', 'a.pcap': '', 'a.rules': '', 'b.rules': '' }))).toEqual({
      runnable: false,
      status: 'fail',
      reason: 'More than 1 rule file found: a.rules, b.rules',
    });
  });

  it('fails on YAML that does not parse, and on a pcap: that is not there', () => {
    const bad = applicability(makeCase('bad-yaml', { 'test.yaml': 'checks: [\n', 'a.pcap': '' }));
    expect(bad.runnable === false && bad.status === 'fail' && bad.reason.startsWith('test.yaml is not valid YAML: ')).toBe(true);
    expect(applicability(makeCase('missing-pcap', { 'test.yaml': 'pcap: ../nowhere/input.pcap\n' }))).toEqual({
      runnable: false,
      status: 'fail',
      reason: 'capture ../nowhere/input.pcap does not exist',
    });
  });

  it('skips what the sensor cannot do, saying why', () => {
    expect(applicability(makeCase('no-capture', { 'test.yaml': 'checks: []\n' }))).toEqual({ runnable: false, status: 'skip', reason: 'No pcap file found' });
    expect(applicability(makeCase('dns-ips-mode', { 'test.yaml': '', 'a.pcap': '' }))).toEqual({
      runnable: false,
      status: 'skip',
      reason: 'runs in IPS mode (name contains "ips" → --simulate-ips), which the sensor does not have',
    });
    expect(applicability(makeCase('lua-output', { 'test.yaml': 'args:\n  - --set outputs.1.lua.enabled=yes\n', 'a.pcap': '' }))).toEqual({
      runnable: false,
      status: 'skip',
      reason: 'needs Suricata option --set outputs.1.lua.enabled=yes, which the sensor does not support',
    });
    expect(applicability(makeCase('checksh', { 'test.yaml': '', 'a.pcap': '', 'check.sh': 'exit 0' }))).toEqual({
      runnable: false,
      status: 'skip',
      reason: 'verified by check.sh, which is never run',
    });
    expect(applicability(makeCase('skip-feature', { 'test.yaml': 'skip:\n  - feature: HAVE_JA3\n    msg: not with ja3\n', 'a.pcap': '' }))).toEqual({
      runnable: false,
      status: 'skip',
      reason: 'not with ja3',
    });
  });
});

describe('args and suricata.yaml readers', () => {
  it('splits args on single whitespace like suricata-verify', () => {
    expect(splitArgs(['-k none --set a=b', '--set  x=${TEST_DIR}/f'], '/t')).toEqual(['-k', 'none', '--set', 'a=b', '--set', 'x=/t/f']);
    expect(splitArgs('-k none', '/t')).toBe("args must be a list, found '-k none'");
  });

  it('reads the options the sensor honours and drops the ones without effect', () => {
    expect(readSuricataArgs(['-k', 'none', '--set', 'mpm-algo=ac', '--set=stream.midstream=true', '-v', '--runmode', 'single'])).toEqual({
      ok: true,
      options: { checksumValidation: 'none', settings: { 'stream.midstream': 'true' } },
    });
    expect(readSuricataArgs(['-k', 'sometimes'])).toEqual({ ok: false, reason: 'bad checksum mode -k sometimes' });
    expect(readSuricataArgs(['-S', 'other.rules'])).toEqual({ ok: false, reason: 'needs Suricata option -S, which the sensor does not support' });
    expect(readSuricataArgs(['--set', 'threshold-file=${SRCDIR}/t.config'])).toEqual({
      ok: false,
      reason: "--set threshold-file=${SRCDIR}/t.config refers to Suricata's build or output folders",
    });
  });

  it('reads eve-log types, including disabled ones and several eve-logs', () => {
    const config = parseVerifyYaml(
      '%YAML 1.1\n---\noutputs:\n  - fast:\n      enabled: yes\n  - eve-log:\n      enabled: yes\n      types:\n        - alert:\n            payload: no\n        - dns:\n        - anomaly:\n            enabled: no\n        - flow\n  - eve-log:\n      enabled: no\n      types:\n        - netflow\n',
    );
    expect(readEveOutputConfig(config)).toEqual({
      types: [
        { name: 'alert', options: { payload: false } },
        { name: 'dns', options: {} },
        { name: 'flow', options: {} },
      ],
      communityId: false,
      communityIdSeed: undefined,
      statsEnabled: undefined,
      include: undefined,
    });
  });
});

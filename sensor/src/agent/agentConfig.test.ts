import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultSensorConfig } from '../enroll/runEnroll.ts';
import { agentConfigOf, ConfigError, loadAgentConfig, parseJsonc, readCredential } from './agentConfig.ts';

const EXAMPLE = fileURLToPath(new URL('../../../deploy/sensor.example.jsonc', import.meta.url));
const sensorId = '0b8a3f1e-2c4d-4e5f-8a6b-7c8d9e0f1a2b';

describe('parseJsonc', () => {
  it('drops comments and trailing commas, never touching strings', () => {
    const text = `{
      // a comment
      "url": "https://x.example/a//b", /* block
      comment */ "glob": "/* not a comment */",
      "quote": "say \\"hi\\" // still text",
      "list": [1, 2,],
      "comma": "a, }", // trailing comma then a comment
    }`;
    expect(parseJsonc(text)).toEqual({ url: 'https://x.example/a//b', glob: '/* not a comment */', quote: 'say "hi" // still text', list: [1, 2], comma: 'a, }' });
  });
});

describe('agent config', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'otasuke-agent-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('takes the sensor.json enroll writes, with every later setting at its default', () => {
    writeFileSync(join(dir, 'sensor.json'), JSON.stringify(defaultSensorConfig({ serverUrl: 'https://otasuke.example', sensorId, dataDir: dir })));
    const config = loadAgentConfig({ dataDir: dir });
    expect(config).toEqual({
      serverUrl: 'https://otasuke.example',
      sensorId,
      dataDir: dir,
      credentialFile: join(dir, 'credential.json'),
      caFile: null,
      capture: { interface: null, bpf: null, watchDir: null, settleMs: 2000, scanMs: 1000, deleteProcessed: false },
      detection: { homeNet: null, rules: [], iocFiles: [], thresholdConfig: null },
      spool: { dir: join(dir, 'spool'), maxBytes: 1024 ** 3, segmentBytes: 8 * 1024 * 1024, fsyncIntervalMs: 200 },
      uplink: { batchMaxEvents: 1000, batchMaxSeconds: 5, backoffMaxSeconds: 60, requestTimeoutSeconds: 30 },
      heartbeatSeconds: 60,
      rules: { dir: join(dir, 'rules'), pollSeconds: 300, publicKeyFile: join(dir, 'bundle-public-key.pem') },
    });
  });

  it('reads the commented example in deploy/ without a problem', () => {
    const { config, problems } = agentConfigOf(parseJsonc(readFileSync(EXAMPLE, 'utf8')));
    expect(problems).toEqual([]);
    expect(config).toMatchObject({
      dataDir: '/var/lib/otasuke-sensor',
      credentialFile: '/var/lib/otasuke-sensor/credential.json',
      capture: { interface: 'eth1', watchDir: null },
      spool: { dir: '/var/lib/otasuke-sensor/spool', fsyncIntervalMs: 200 },
      rules: { publicKeyFile: '/var/lib/otasuke-sensor/bundle-public-key.pem' },
    });
  });

  it('moves the data paths with --data-dir', () => {
    const { config } = agentConfigOf({ ...defaultSensorConfig({ serverUrl: 'http://s', sensorId, dataDir: '/old' }) }, { dataDir: dir });
    expect([config.dataDir, config.credentialFile, config.spool.dir, config.rules.dir]).toEqual([dir, join(dir, 'credential.json'), join(dir, 'spool'), join(dir, 'rules')]);
  });

  it('lists every problem at once', () => {
    const { problems } = agentConfigOf({
      serverUrl: 'ftp://x',
      capture: { interface: 'eth0', watchDir: '/tmp/x', settleMs: -1 },
      uplink: { batchMaxEvents: 9000 },
      spool: { maxBytes: 'big' },
      detection: { rules: 'one.rules' },
      heartbeatSeconds: 0,
    });
    expect(problems).toEqual([
      'serverUrl must be an http:// or https:// URL, got "ftp://x"',
      'sensorId is missing (run `otasuke sensor enroll` first)',
      'set capture.interface or capture.watchDir, not both',
      'capture.settleMs must be a number from 0 to 3600000, got -1',
      'detection.rules must be a list of file paths',
      'spool.maxBytes must be an integer from 65536 to 9007199254740991, got "big"',
      'uplink.batchMaxEvents must be an integer from 1 to 5000, got 9000',
      'heartbeatSeconds must be a number from 0.01 to 86400, got 0',
    ]);
  });

  it('says how to fix a missing config or credential', () => {
    expect(() => loadAgentConfig({ dataDir: dir })).toThrow(ConfigError);
    expect(() => loadAgentConfig({ dataDir: dir })).toThrow(/otasuke sensor enroll/);
    writeFileSync(join(dir, 'bad.json'), '{ "serverUrl": ');
    expect(() => loadAgentConfig({ configFile: join(dir, 'bad.json') })).toThrow(/not valid JSON/);
    writeFileSync(join(dir, 'credential.json'), '{}');
    expect(() => readCredential(join(dir, 'credential.json'))).toThrow(/enroll again/);
    writeFileSync(join(dir, 'credential.json'), JSON.stringify({ sensorId, credential: 'ots_x', serverUrl: 'http://s', bundlePublicKey: 'PEM' }));
    expect(readCredential(join(dir, 'credential.json'))).toEqual({ sensorId, credential: 'ots_x', bundlePublicKey: 'PEM' });
  });
});

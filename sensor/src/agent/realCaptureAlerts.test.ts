/**
 * Real attack captures (../shared/data) through the real pipeline with ET Open rules: every alert
 * they raise must leave the sensor as a valid SensorEvent within the ingest line limit, with no
 * payload, mail address or certificate in it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { INGEST_LIMITS, SensorEvent } from '@otasuke/shared';
import type { EveAlertRecord } from '../eve/eveEvent.ts';
import { engineDetection, pipelineAnalyser } from './agent.ts';
import { uplinkAlertOf } from './uplinkAlert.ts';

// This file is sensor/src/agent/; four levels up is the folder holding the repo and shared/.
const DATA = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));
const PCAPS = join(DATA, 'pcaps');
const RULES = join(DATA, 'et-open');
const present = existsSync(PCAPS) && existsSync(RULES);
if (!present) console.warn(`\n!!! ${PCAPS} or ${RULES} is absent: the real-capture uplink tests are SKIPPED !!!\n`);

const CAPTURES = [
  'ntop__nDPI/tests/cfgs/default/pcap/emotet.pcap',
  'ntop__nDPI/tests/cfgs/default/pcap/log4j-webapp-exploit.pcap',
  'ntop__nDPI/tests/cfgs/default/pcap/WebattackSQLinj.pcap',
  'chrissanders__packets/http_dvwa_sqlinjection.pcapng',
];
const RULE_FILES = ['emerging-exploit.rules', 'emerging-web_server.rules', 'emerging-web_specific_apps.rules', 'emerging-sql.rules', 'emerging-policy.rules', 'emerging-info.rules', 'emerging-hunting.rules'];

describe.skipIf(!present)('alerts of real captures on the wire', () => {
  it('map every alert to a valid event, metadata only', async () => {
    const detection = await engineDetection({ rules: RULE_FILES.map((f) => join(RULES, f)), iocFiles: [], thresholdConfig: null, homeNet: '[10.0.0.0/8,172.16.0.0/12,192.168.0.0/16]' });
    const perCapture: Record<string, number> = {};
    let total = 0;
    for (const capture of CAPTURES) {
      const records: EveAlertRecord[] = [];
      await pipelineAnalyser({ source: [readFileSync(join(PCAPS, capture))], chunksReused: false, detection, onAlert: (r) => records.push(r), onChunk: () => {} });
      perCapture[capture.split('/').at(-1)!] = records.length;
      for (const [i, record] of records.entries()) {
        const line = JSON.stringify({ seq: i + 1, kind: 'alert', alert: uplinkAlertOf(record) });
        expect(SensorEvent.safeParse(JSON.parse(line)).success).toBe(true);
        expect(Buffer.byteLength(line)).toBeLessThanOrEqual(INGEST_LIMITS.maxEventBytes);
        expect(line).not.toMatch(/"(payload|packet|request_headers|http_request_body|certificate|chain|mail_from|rcpt_to)"/);
      }
      total += records.length;
    }
    console.log(`real-capture alerts per capture: ${JSON.stringify(perCapture)}`);
    expect(total).toBeGreaterThan(0);
    expect(perCapture['log4j-webapp-exploit.pcap']).toBeGreaterThan(0);
    expect(perCapture['emotet.pcap']).toBeGreaterThan(0);
  }, 300_000);
});

/**
 * The suricata-verify conformance run with the real pipeline: every logging-only case (checks only
 * on records the sensor writes without rules) must pass, every EVE record passing the schema. The
 * report is printed so it shows in the test output. Alert cases wait for the detection engine.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LOGGING_ONLY_CASES } from './caseKind.ts';
import { pipelineSensor } from './pipelineSensor.ts';
import { formatVerifyReport, runVerifyCases } from './runner.ts';
import { DEFAULT_VERIFY_TESTS_DIR } from './testCase.ts';

const present = existsSync(DEFAULT_VERIFY_TESTS_DIR);
if (!present) console.warn(`\n*** suricata-verify conformance SKIPPED: ${DEFAULT_VERIFY_TESTS_DIR} is absent ***\n`);

describe.skipIf(!present)('suricata-verify with the sensor pipeline', () => {
  it('passes every logging-only case', async () => {
    const summary = await runVerifyCases(DEFAULT_VERIFY_TESTS_DIR, pipelineSensor, { only: (name) => LOGGING_ONLY_CASES.includes(name) });
    console.log(`\nsuricata-verify (logging-only cases):\n${formatVerifyReport(summary, { verbose: true })}\n`);
    expect(summary.results.map((r) => r.name).sort()).toEqual([...LOGGING_ONLY_CASES].sort());
    expect(summary.results.filter((r) => r.status !== 'pass').map((r) => `${r.name}: ${r.reason ?? r.status}`)).toEqual([]);
    // Each case ran its checks and the schema check.
    for (const r of summary.results) expect(r.checks.some((c) => c.type === 'schema' && c.status === 'pass'), r.name).toBe(true);
  }, 120_000);
});

/**
 * The suricata-verify conformance run with the real pipeline: every logging-only case (checks only
 * on records the sensor writes without rules) must pass, every EVE record passing the schema; the
 * alert cases run their rules through the rule engine, and those listed in ALERT_CASES_PASSING must
 * pass (the others are printed with the reason they fail). The report shows in the test output.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALERT_CASES_PASSING, LOGGING_ONLY_CASES } from './caseKind.ts';
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

  it('passes the alert cases the rule engine covers, every record passing the schema', async () => {
    const summary = await runVerifyCases(DEFAULT_VERIFY_TESTS_DIR, pipelineSensor, { only: (name) => !LOGGING_ONLY_CASES.includes(name) });
    const alertResults = summary.results.filter((r) => r.kind === 'alert');
    console.log(`\nsuricata-verify (alert cases):\n${formatVerifyReport({
      results: alertResults,
      passed: alertResults.filter((r) => r.status === 'pass').length,
      failed: alertResults.filter((r) => r.status === 'fail').length,
      skipped: alertResults.filter((r) => r.status === 'skip').length,
    })}\n`);
    const passing = alertResults.filter((r) => r.status === 'pass').map((r) => r.name);
    expect(passing.sort()).toEqual(expect.arrayContaining([...ALERT_CASES_PASSING].sort()));
    // No alert case breaks the schema, passing or not.
    for (const r of alertResults) expect(r.checks.filter((c) => c.type === 'schema' && c.status === 'fail').map((c) => c.message), r.name).toEqual([]);
  }, 300_000);
});

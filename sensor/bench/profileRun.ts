/**
 * Runs the pipeline over one capture the way the benchmark's measurement does (every EVE type,
 * records serialised and written to /dev/null) and prints the time; for `node --cpu-prof`.
 *
 *   node --import tsx/esm --cpu-prof sensor/bench/profileRun.ts FILE [repeats]
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { serializeEveRecord } from '../src/eve/eveWriter.ts';
import { runCaptureFile } from '../src/pipeline/runCapture.ts';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: profileRun.ts FILE [repeats]');
const repeats = Number(process.argv[3] ?? 1);
const fd = openSync('/dev/null', 'w');
for (let i = 0; i < repeats; i++) {
  const started = performance.now();
  const cpu = process.cpuUsage();
  let bytes = 0;
  const r = await runCaptureFile(file, (rec) => {
    const line = serializeEveRecord(rec);
    bytes += line.length;
  });
  writeSync(fd, String(bytes));
  const s = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuS = (used.user + used.system) / 1e6;
  // CPU time as well as wall time: on a shared box the wall clock includes waiting for a core.
  console.log(`${(r.bytesRead / 1e6 / s).toFixed(1)} MB/s wall (${s.toFixed(2)} s), ${(r.bytesRead / 1e6 / cpuS).toFixed(1)} MB/s of CPU time (${cpuS.toFixed(2)} s)`);
}
closeSync(fd);

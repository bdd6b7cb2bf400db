/**
 * `npm run bench:heartbeat`: can one server hold 3 000 sensors heartbeating every 60 s (50 a
 * second) under 10% of one core? The server runs in a child process (embedded PGlite, or the
 * PostgreSQL of DATABASE_URL — then the database's own CPU is not counted here); this process
 * sends the heartbeats at the target rate, spread evenly, and reads the child's CPU time before and
 * after. An idle window first gives the server's background cost. Figures are printed, not asserted.
 *
 * BENCH_SENSORS (3000), BENCH_INTERVAL_S (60), BENCH_SECONDS (30).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const sensors = Number(process.env.BENCH_SENSORS ?? 3000);
const intervalS = Number(process.env.BENCH_INTERVAL_S ?? 60);
const seconds = Number(process.env.BENCH_SECONDS ?? 30);
const rate = sensors / intervalS;

type Answer = { ready?: true; url?: string; database?: string; credentials?: string[]; cpu?: NodeJS.CpuUsage; at?: number; count?: number };

function ask(child: ChildProcess, question: 'cpu' | 'count'): Promise<Answer> {
  return new Promise((resolve) => {
    const onMessage = (m: Answer) => {
      if ((question === 'cpu' && m.cpu) || (question === 'count' && m.count !== undefined)) {
        child.off('message', onMessage);
        resolve(m);
      }
    };
    child.on('message', onMessage);
    child.send({ ask: question });
  });
}

async function cpuPercentOver(child: ChildProcess, work: () => Promise<void>): Promise<number> {
  const a = await ask(child, 'cpu');
  await work();
  const b = await ask(child, 'cpu');
  const used = b.cpu!.user + b.cpu!.system - a.cpu!.user - a.cpu!.system;
  return (used / 1000 / (b.at! - a.at!)) * 100;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const child = fork(fileURLToPath(new URL('./heartbeatBenchServer.ts', import.meta.url)), { execArgv: ['--import', 'tsx'], env: { ...process.env, BENCH_SENSORS: String(sensors) }, stdio: 'inherit' });
const setupStart = performance.now();
const ready = await new Promise<Answer>((resolve, reject) => {
  child.once('message', (m: Answer) => resolve(m));
  child.once('exit', (code) => reject(new Error(`the bench server exited (${code})`)));
});
const { url, credentials } = ready as Required<Pick<Answer, 'url' | 'credentials'>>;
console.log(`server ready (${ready.database}) with ${sensors} enrolled sensors in ${((performance.now() - setupStart) / 1000).toFixed(1)} s`);

const heartbeat = (i: number) =>
  JSON.stringify({
    sentAt: new Date().toISOString(),
    agentVersion: '0.2.0',
    bundleVersion: '0123456789abcdef',
    uptimeSec: 3600 + i,
    packetsPerSec: 800 + (i % 400),
    packetsTotal: 1_000_000 + i,
    dropsTotal: i % 7,
    dropRate: 0,
    cpuPercent: 12.5,
    memoryBytes: 150_000_000,
    diskFreeBytes: 8_000_000_000,
    spoolBacklogEvents: 0,
    spoolBacklogBytes: 0,
    spoolDropped: 0,
  });

type Send = (i: number, latencies: number[], failures: Map<number, number>) => Promise<void>;

const sendHeartbeat: Send = (i, latencies, failures) =>
  timed(latencies, failures, 204, () =>
    fetch(`${url}/api/v1/sensors/me/heartbeat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${credentials[i % credentials.length]}`, 'content-type': 'application/json' },
      body: heartbeat(i),
    }),
  );
/** The yardstick: an HTTP request with one trivial query (`select 1`), at the same rate. */
const sendReadyz: Send = (_i, latencies, failures) => timed(latencies, failures, 200, () => fetch(`${url}/readyz`));

async function timed(latencies: number[], failures: Map<number, number>, expected: number, request: () => Promise<Response>): Promise<void> {
  const started = performance.now();
  try {
    const response = await request();
    await response.arrayBuffer();
    if (response.status !== expected) failures.set(response.status, (failures.get(response.status) ?? 0) + 1);
  } catch {
    failures.set(0, (failures.get(0) ?? 0) + 1);
  }
  latencies.push(performance.now() - started);
}

/** Sends at `rate` per second for `durationS`, evenly spaced (as 3 000 agents on 60 s timers would). */
async function load(durationS: number, offset: number, latencies: number[], failures: Map<number, number>, send: Send = sendHeartbeat): Promise<number> {
  const total = Math.round(rate * durationS);
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let n = 0; n < total; n++) {
    const due = start + (n * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(send(offset + n, latencies, failures));
  }
  await Promise.all(pending);
  return total;
}

try {
  // Warm-up (JIT, connection pool, first plans), not measured.
  await load(5, 0, [], new Map());
  const idle = await cpuPercentOver(child, () => sleep(10_000));
  const latencies: number[] = [];
  const failures = new Map<number, number>();
  let sent = 0;
  const wallStart = performance.now();
  const busy = await cpuPercentOver(child, async () => {
    sent = await load(seconds, 1000, latencies, failures);
  });
  const wall = (performance.now() - wallStart) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(1);
  const stored = (await ask(child, 'count')).count!;
  console.log(`heartbeats: ${sent} in ${wall.toFixed(1)} s = ${(sent / wall).toFixed(1)}/s (target ${rate.toFixed(1)}/s: ${sensors} sensors every ${intervalS} s)`);
  console.log(`failures: ${failures.size === 0 ? 'none' : [...failures].map(([s, n]) => `${s || 'network'}×${n}`).join(', ')}; rows stored in total (warm-up included): ${stored}`);
  console.log(`latency: p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${latencies.at(-1)!.toFixed(1)} ms`);
  console.log(`server CPU (% of one core): idle ${idle.toFixed(1)}%, under load ${busy.toFixed(1)}% → heartbeats cost ${(busy - idle).toFixed(1)}% (target < 10%)`);
  console.log(`CPU per heartbeat: ${((((busy - idle) / 100) * wall * 1000) / sent).toFixed(2)} ms (machine load average now ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores: contention inflates CPU time)`);
  const yardstickSeconds = Math.min(10, seconds);
  let yardstickSent = 0;
  const yardstick = await cpuPercentOver(child, async () => {
    yardstickSent = await load(yardstickSeconds, 0, [], new Map(), sendReadyz);
  });
  console.log(`yardstick: GET /readyz (HTTP + select 1) at the same rate costs ${(yardstick - idle).toFixed(1)}% = ${((((yardstick - idle) / 100) * yardstickSeconds * 1000) / yardstickSent).toFixed(2)} ms CPU each on this machine now`);
  if (ready.database === 'postgres') console.log('note: with DATABASE_URL the PostgreSQL server\'s own CPU is not included');
} finally {
  child.send({ ask: 'stop' });
}

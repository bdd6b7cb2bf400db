/**
 * Fault: the server process killed with SIGKILL while a sensor uploads, then restarted on the same
 * database. The client re-sends every batch (as the agent's spool does for anything not
 * acknowledged — here, to be harsh, everything); each event must be stored exactly once and
 * counted as accepted exactly once. Runs the real `otasuke server` as a child, against a fresh
 * PostgreSQL database when OTASUKE_TEST_DATABASE_URL is set, else a PGlite data dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../clock.ts';
import { openDatabase } from '../db/database.ts';
import { createServices } from '../services.ts';
import { enrollTestSensor } from '../worker/workerTesting.ts';
import { gzipBatchOf, syntheticAlertEvent } from './syntheticAlerts.ts';

const CLI = join(import.meta.dirname, '../../../cli/bin/otasuke.mjs');
const serverUrl = process.env.OTASUKE_TEST_DATABASE_URL;

describe(`fault: server killed mid-batch (${serverUrl ? 'PostgreSQL' : 'PGlite data dir'})`, () => {
  let dataDir: string;
  let databaseUrl: string | undefined;
  let dbName: string | undefined;
  let child: ChildProcess | null = null;
  let sensor: { sensorId: string; credential: string };

  const startChild = async (): Promise<string> => {
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', INGEST_BATCHES_PER_SECOND: '10000', INGEST_BURST: '10000' };
    delete env.NATS_URL;
    delete env.DATABASE_URL;
    const args = [CLI, 'server', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, ...(databaseUrl ? ['--database-url', databaseUrl] : [])];
    const proc = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    return new Promise((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`the server did not start in 240 s:\n${output}`)), 240_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /Otasuke is running: http:\/\/localhost:(\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(`http://127.0.0.1:${match[1]}`);
        }
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', onData);
      proc.once('exit', (code) => reject(new Error(`the server exited (${code}) before it listened:\n${output}`)));
    });
  };
  const killChild = async () => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'otasuke-kill-'));
    if (serverUrl) {
      dbName = `otasuke_kill_${randomBytes(5).toString('hex')}`;
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      await admin.query(`create database ${dbName}`);
      await admin.end();
      const url = new URL(serverUrl);
      url.pathname = `/${dbName}`;
      databaseUrl = url.toString();
    }
    // The sensor is enrolled before the server runs (PGlite's data dir has one user at a time).
    const database = await openDatabase({ url: databaseUrl, dataDir });
    try {
      sensor = await enrollTestSensor(createServices(database.db, systemClock, { publicUrl: 'http://otasuke.test', sessionIdleMinutes: 720, mailCharset: 'utf-8' }));
    } finally {
      await database.close();
    }
  }, 120_000);
  afterAll(async () => {
    await killChild();
    if (dbName && serverUrl) {
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      await admin.query(`drop database if exists ${dbName} with (force)`);
      await admin.end();
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores each event exactly once after a SIGKILL, a restart and a full re-send', async () => {
    const batches = Array.from({ length: 60 }, (_, b) => gzipBatchOf(Array.from({ length: 50 }, (_, i) => syntheticAlertEvent(b * 50 + i + 1))));
    const total = batches.length * 50;
    const post = (base: string, body: Buffer) =>
      fetch(`${base}/api/v1/ingest/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${sensor.credential}`, 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' },
        body,
      });

    let base = await startChild();
    // Four uploads in flight; the kill lands while some are being stored.
    let acknowledged = 0;
    let failed = 0;
    let next = 0;
    let killed: Promise<void> | null = null;
    const uploader = async () => {
      while (next < batches.length) {
        const body = batches[next++]!;
        if (next === 25) killed = killChild();
        try {
          const response = await post(base, body);
          if (response.status === 200) acknowledged++;
          else failed++;
          await response.arrayBuffer();
        } catch {
          failed++;
        }
      }
    };
    await Promise.all([uploader(), uploader(), uploader(), uploader()]);
    await killed;
    expect(acknowledged).toBeGreaterThan(0);
    expect(failed).toBeGreaterThan(0);

    base = await startChild();
    let accepted = 0;
    for (const body of batches) {
      const response = await post(base, body);
      expect(response.status).toBe(200);
      accepted += ((await response.json()) as { accepted: number }).accepted;
    }
    // Only what never reached the database is new on the re-send.
    expect(accepted).toBeLessThan(total);
    await killChild();

    const database = await openDatabase({ url: databaseUrl, dataDir });
    try {
      const seqs = (await database.db.selectFrom('alerts').select('seq').where('sensorId', '=', sensor.sensorId).execute()).map((r) => Number(r.seq));
      expect(seqs.length).toBe(total);
      expect(new Set(seqs).size).toBe(total);
      const counters = await database.db.selectFrom('sensorIngestCounters').selectAll().where('sensorId', '=', sensor.sensorId).executeTakeFirstOrThrow();
      expect(Number(counters.accepted)).toBe(total);
    } finally {
      await database.close();
    }
  }, 480_000);
});

/**
 * A real clamd for tests: started from Debian's `clamav-daemon` with a signature database written
 * for the test only (clamd refuses to start without one; `.hdb` and `.ndb` files are enough, and
 * nothing is fetched from the internet), listening on a socket in a temporary folder.
 *
 * The EICAR test file is assembled at run time so that no file of the repository holds it whole
 * (antivirus on a developer's machine would quarantine it).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CLAMD_BINARY = '/usr/sbin/clamd';

/** The 68-byte EICAR anti-malware test file. */
export function eicarTestFile(): Uint8Array {
  const parts = ['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR-STANDARD-', 'ANTIVIRUS-', 'TEST-FILE!$H+H*'];
  return Buffer.from(parts.join(''), 'latin1');
}

export interface TestSignatures {
  /** Whole-file MD5 signatures (`.hdb`: md5:size:name), from the content or from a known MD5 and size. */
  files?: ({ name: string; content: Uint8Array } | { name: string; md5: string; size: number })[];
  /** Body signatures (`.ndb`: name:target:offset:hex), matched anywhere in any file. */
  bodies?: { name: string; hex: string }[];
}

export interface TestClamd {
  socket: string;
  stop(): Promise<void>;
}

export function clamdInstalled(): boolean {
  return existsSync(CLAMD_BINARY);
}

/**
 * Starts clamd with only `signatures`; resolves once its socket answers. Signature names come back
 * from clamd with `.UNOFFICIAL` appended (they are not from ClamAV's own databases).
 */
export async function startTestClamd(signatures: TestSignatures, options: { streamMaxLength?: string } = {}): Promise<TestClamd> {
  const dir = mkdtempSync(join(tmpdir(), 'otasuke-clamd-'));
  const socket = join(dir, 'clamd.sock');
  const hdb = (signatures.files ?? []).map((f) =>
    'content' in f ? `${createHash('md5').update(f.content).digest('hex')}:${f.content.length}:${f.name}` : `${f.md5}:${f.size}:${f.name}`,
  );
  const ndb = (signatures.bodies ?? []).map((b) => `${b.name}:0:*:${b.hex}`);
  if (hdb.length > 0) writeFileSync(join(dir, 'otasuke.hdb'), `${hdb.join('\n')}\n`);
  if (ndb.length > 0) writeFileSync(join(dir, 'otasuke.ndb'), `${ndb.join('\n')}\n`);
  const conf = [
    `LocalSocket ${socket}`,
    `DatabaseDirectory ${dir}`,
    'Foreground yes',
    `LogFile ${join(dir, 'clamd.log')}`,
    `StreamMaxLength ${options.streamMaxLength ?? '25M'}`,
    `PidFile ${join(dir, 'clamd.pid')}`,
  ];
  writeFileSync(join(dir, 'clamd.conf'), `${conf.join('\n')}\n`);
  const child: ChildProcess = spawn(CLAMD_BINARY, ['-c', join(dir, 'clamd.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  while (!existsSync(socket)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`clamd did not start: ${stderr.trim().slice(-500)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { socket, stop };
}

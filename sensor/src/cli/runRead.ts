/**
 * What `otasuke sensor read` does once its flags are parsed: open the input (file, stdin or a
 * tcpdump child), run the pipeline with EVE lines going to a file or stdout, draw the progress
 * meter on a terminal, and end with a summary on stderr. Returns the exit code.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { CaptureFormatError, NotACaptureError } from '../capture/capturedPacket.ts';
import { serializeEveRecord } from '../eve/eveWriter.ts';
import { readFileChunks, runCapture } from '../pipeline/runCapture.ts';
import type { CaptureRunResult } from '../pipeline/runCapture.ts';
import { parseEventTypes } from '../pipeline/sensorPipeline.ts';
import type { SensorPipelineOptions } from '../pipeline/sensorPipeline.ts';
import { ProgressMeter } from './progressMeter.ts';
import type { ProgressSink } from './progressMeter.ts';
import type { ReadOptions } from './readCommand.ts';
import type { Detection, DetectionOptions } from '../detect/detection.ts';
import { formatFileStageCounters } from '../detect/files/fileStage.ts';

export interface ReadIo {
  stderr: ProgressSink;
}

const FLUSH_BYTES = 1 << 20;

/** Buffers EVE lines and writes them to a file descriptor in large blocks. */
class FdLineSink {
  private parts: string[] = [];
  private size = 0;
  private fd: number | null = null;
  /** `open` runs at the first write, so input that is not a capture leaves an old file alone. */
  constructor(private readonly open: () => number) {}

  close(): void {
    if (this.fd !== null && this.fd !== 1) closeSync(this.fd);
  }

  write(line: string): void {
    this.parts.push(line);
    this.size += line.length + 1;
    if (this.size >= FLUSH_BYTES) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0) return;
    const fd = (this.fd ??= this.open());
    const buf = Buffer.from(`${this.parts.join('\n')}\n`);
    this.parts = [];
    this.size = 0;
    let off = 0;
    while (off < buf.length) {
      try {
        off += writeSync(fd, buf, off);
      } catch (e) {
        // A non-blocking pipe (stdout) that is full: wait for the reader.
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
      }
    }
  }
}

function usage(io: ReadIo, message: string): number {
  io.stderr.write(`error: ${message}\n`);
  return 2;
}

export async function runRead(options: ReadOptions, io: ReadIo): Promise<number> {
  if (options.pcap === undefined && options.interface === undefined) return usage(io, 'give --pcap FILE (or - for stdin) or --interface IF');
  if (options.bpf !== undefined && options.interface === undefined) return usage(io, '--bpf needs --interface');
  const pipelineOptions: SensorPipelineOptions = {};
  if (options.types !== undefined) {
    const { types, unknown } = parseEventTypes(options.types);
    if (unknown.length > 0) return usage(io, `unknown event type(s) in --types: ${unknown.join(', ')}`);
    pipelineOptions.eveTypes = types;
  }
  if (options.communityId) {
    const seed = Number(options.communityIdSeed);
    if (!Number.isInteger(seed) || seed < 0 || seed > 65535) return usage(io, '--community-id-seed must be an integer 0..65535');
    pipelineOptions.communityIdSeed = seed;
  }
  if (options.thresholdConfig !== undefined && options.rules === undefined) return usage(io, '--threshold-config needs --rules');
  if (options.fileScanLimit !== undefined && options.clamd === undefined) return usage(io, '--file-scan-limit needs --clamd');

  // Detection: loaded before the input is opened, so a bad rule folder fails fast.
  let detection: Detection | null = null;
  if (wantsDetection(options)) {
    const { buildDetection, DetectionConfigError, formatDetectionSummary, loadBehaviourConfig, parseByteSize } = await import('../detect/detection.ts');
    try {
      const detectionOptions: DetectionOptions = {};
      if (options.rules !== undefined) detectionOptions.rules = options.rules;
      if (options.ioc !== undefined) detectionOptions.iocFiles = options.ioc;
      if (options.homeNet !== undefined) detectionOptions.homeNet = options.homeNet;
      if (options.clamd !== undefined) detectionOptions.clamd = options.clamd;
      if (options.thresholdConfig !== undefined) detectionOptions.thresholdConfig = options.thresholdConfig;
      if (options.behaviourConfig !== undefined) detectionOptions.behaviour = loadBehaviourConfig(options.behaviourConfig);
      if (options.fileScanLimit !== undefined) {
        const limit = parseByteSize(options.fileScanLimit);
        if (limit === undefined) return usage(io, `--file-scan-limit: "${options.fileScanLimit}" is not a size (e.g. 10485760, 512K, 10M)`);
        detectionOptions.fileScanLimit = limit;
      }
      detection = await buildDetection(detectionOptions);
    } catch (e) {
      if (e instanceof DetectionConfigError) return usage(io, e.message);
      throw e;
    }
    for (const line of formatDetectionSummary(detection.summary)) io.stderr.write(`${line}\n`);
    // Files are hashed whenever detection is on: hash IOCs match on them.
    pipelineOptions.fileHashes = { md5: true, sha1: true, sha256: true };
    pipelineOptions.detection = { stages: detection.stages, homeNet: detection.homeNet };
  }

  // Input
  let source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  /** A file is read into one reused buffer (see readFileChunks); streams yield fresh chunks. */
  let chunksReused = false;
  let totalBytes: number | null = null;
  let child: ChildProcess | null = null;
  if (options.interface !== undefined) {
    const args = ['-i', options.interface, '-U', '-w', '-'];
    if (options.bpf !== undefined) args.push(options.bpf);
    child = spawn('tcpdump', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    const stop = (): void => {
      child?.kill('SIGTERM');
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    source = child.stdout as NodeJS.ReadableStream as AsyncIterable<Uint8Array>;
  } else if (options.pcap === '-') {
    source = process.stdin as AsyncIterable<Uint8Array>;
  } else {
    const path = options.pcap as string;
    try {
      const st = statSync(path);
      if (st.isDirectory()) return usage(io, `${path} is a folder, not a capture file`);
      totalBytes = st.isFile() ? st.size : null;
    } catch (e) {
      return usage(io, `cannot read ${path}: ${(e as Error).message}`);
    }
    source = readFileChunks(path, undefined, true);
    chunksReused = true;
  }

  // Output: checked now, opened (and truncated) at the first record.
  const toStdout = options.eve === '-';
  if (!toStdout) {
    try {
      closeSync(openSync(options.eve, 'a'));
    } catch (e) {
      return usage(io, `cannot write ${options.eve}: ${(e as Error).message}`);
    }
  }
  const live = options.interface !== undefined || options.pcap === '-';
  const sink = new FdLineSink(() => (toStdout ? 1 : openSync(options.eve, 'w')));
  const meter = new ProgressMeter(io.stderr, totalBytes);

  let result: CaptureRunResult | undefined;
  let failure: unknown;
  try {
    result = await runCapture(source, (record) => sink.write(serializeEveRecord(record)), {
      ...pipelineOptions,
      chunksReused,
      onProgress: (bytes, packets) => {
        meter.update(bytes, packets);
        // Live input: records go out as they are made, not when a megabyte has gathered.
        if (live) sink.flush();
      },
    });
  } catch (e) {
    failure = e;
  } finally {
    meter.done();
    try {
      sink.flush();
    } finally {
      sink.close();
    }
  }

  if (failure instanceof NotACaptureError) return usage(io, failure.message);
  if (failure instanceof CaptureFormatError) {
    io.stderr.write(`error: ${failure.message}; the packets before it were processed\n`);
    return 1;
  }
  if (failure !== undefined) {
    io.stderr.write(`error: ${failure instanceof Error ? (failure.stack ?? failure.message) : String(failure)}\n`);
    return 1;
  }
  const r = result as CaptureRunResult;
  if (r.capture.truncated) {
    io.stderr.write(`warning: the capture is truncated (${r.capture.truncatedBytes} bytes of an incomplete record at the end); every complete packet was processed\n`);
  }
  if (child !== null && child.exitCode !== null && child.exitCode !== 0 && r.pipeline.counters.packets === 0) {
    io.stderr.write(`error: tcpdump ended with exit code ${child.exitCode}\n`);
    return 1;
  }
  io.stderr.write(summary(r));
  if (detection?.files != null) io.stderr.write(`${formatFileStageCounters(detection.files.counters)}\n`);
  return 0;
}

/** Any detection flag turns detection on; without one the sensor only logs, as before. */
function wantsDetection(o: ReadOptions): boolean {
  return o.rules !== undefined || o.ioc !== undefined || o.homeNet !== undefined || o.clamd !== undefined || o.behaviourConfig !== undefined;
}

/** The end-of-run summary: packets, bytes, flows, events by type, decode errors, throughput. */
export function summary(r: CaptureRunResult): string {
  const c = r.pipeline.counters;
  const mb = r.bytesRead / 1e6;
  const rate = r.seconds > 0 ? mb / r.seconds : 0;
  const events = Object.entries(c.events)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, n]) => `${type} ${n}`)
    .join(', ');
  return [
    `packets: ${c.packets}  bytes: ${c.bytes}  flows: ${r.pipeline.flowCounters.total}`,
    `events: ${events === '' ? 'none' : events}`,
    `decode errors: ${c.decodeErrors} packets`,
    `time: ${r.seconds.toFixed(2)} s  (${rate.toFixed(1)} MB/s)`,
    '',
  ].join('\n');
}

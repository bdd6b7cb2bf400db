/**
 * The progress line `otasuke sensor read` draws on a terminal: bytes, percent, packets per second.
 * Redrawn at most every 200 ms so drawing never costs throughput.
 */
export interface ProgressSink {
  isTTY?: boolean;
  write(text: string): unknown;
}

const REDRAW_MS = 200;
const BAR_WIDTH = 24;

export class ProgressMeter {
  private lastDraw = 0;
  private readonly started = performance.now();

  constructor(
    private readonly sink: ProgressSink,
    private readonly totalBytes: number | null,
  ) {}

  update(bytes: number, packets: number): void {
    if (!this.sink.isTTY) return;
    const now = performance.now();
    if (now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? Math.round(packets / seconds) : 0;
    const mb = (bytes / 1e6).toFixed(1);
    if (this.totalBytes) {
      const fraction = Math.min(1, bytes / this.totalBytes);
      const filled = Math.round(fraction * BAR_WIDTH);
      this.sink.write(`\r[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${(fraction * 100).toFixed(1).padStart(5)}%  ${mb} MB  ${rate.toLocaleString('en-US')} pkt/s `);
    } else {
      this.sink.write(`\r${mb} MB  ${packets.toLocaleString('en-US')} packets  ${rate.toLocaleString('en-US')} pkt/s `);
    }
  }

  done(): void {
    if (this.sink.isTTY && this.lastDraw > 0) this.sink.write('\r\x1b[K');
  }
}

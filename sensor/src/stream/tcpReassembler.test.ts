import { describe, expect, it } from 'vitest';
import {
  ReassemblyOutput,
  SEGMENT_OVERHEAD_BYTES,
  StreamMemoryBudget,
  TcpReassembler,
} from './tcpReassembler.ts';
import type { ReassembledChunk, StreamDirection } from './tcpReassembler.ts';

const SYN = 0x02;
const FIN = 0x01;
const RST = 0x04;
const ACK = 0x10;
const PSH = 0x08;

const enc = new TextEncoder();
const dec = new TextDecoder();
const bytes = (s: string): Uint8Array => enc.encode(s);

/** Test harness: one reassembler, its output collected across calls. */
class Harness {
  readonly budget: StreamMemoryBudget;
  readonly r: TcpReassembler;
  readonly out = new ReassemblyOutput();
  readonly chunks: ReassembledChunk[] = [];
  readonly events: string[] = [];

  constructor(maxPerDirection = 1 << 20, budgetBytes = 1 << 24) {
    this.budget = new StreamMemoryBudget(budgetBytes);
    this.r = new TcpReassembler(this.budget, { maxBufferedBytesPerDirection: maxPerDirection });
  }

  seg(dir: StreamDirection, seq: number, data: string | Uint8Array, flags = ACK | PSH, ack = 0): this {
    this.r.onSegment(dir, seq >>> 0, ack >>> 0, flags, typeof data === 'string' ? bytes(data) : data, this.out);
    this.collect();
    return this;
  }

  finish(): this {
    this.r.finish(this.out);
    this.collect();
    return this;
  }

  private collect(): void {
    this.chunks.push(...this.out.chunks);
    for (const e of this.out.events) this.events.push(`${e.direction}:${e.name}`);
    this.out.clear();
  }

  /** Delivered text per direction, `|` marking a gap before a chunk. */
  text(dir: StreamDirection): string {
    return this.chunks
      .filter((c) => c.direction === dir)
      .map((c) => (c.gapBefore ? '|' : '') + dec.decode(c.data))
      .join('');
  }
}

describe('TcpReassembler: in order', () => {
  it('delivers from ISN+1 after a SYN, as views of the payload (no copy)', () => {
    const h = new Harness();
    h.seg('toServer', 1000, '', SYN);
    const payload = bytes('hello');
    h.seg('toServer', 1001, payload);
    h.seg('toServer', 1006, ' world');
    expect(h.text('toServer')).toBe('hello world');
    expect(h.chunks[0]!.data.buffer).toBe(payload.buffer);
    expect(h.r.toServer.deliveredBytes).toBe(11);
    expect(h.events).toEqual([]);
  });

  it('picks up midstream from the first segment seen', () => {
    const h = new Harness();
    h.seg('toClient', 5000, 'HTTP/1.1 200 OK\r\n');
    h.seg('toClient', 5017, 'x');
    expect(h.text('toClient')).toBe('HTTP/1.1 200 OK\r\nx');
  });

  it('keeps the two directions apart', () => {
    const h = new Harness();
    h.seg('toServer', 10, '', SYN);
    h.seg('toClient', 90, '', SYN | ACK, 11);
    h.seg('toServer', 11, 'GET /', ACK | PSH, 91);
    h.seg('toClient', 91, 'OK', ACK | PSH, 16);
    expect(h.text('toServer')).toBe('GET /');
    expect(h.text('toClient')).toBe('OK');
  });

  it('delivers data carried on a SYN (TCP Fast Open)', () => {
    const h = new Harness();
    h.seg('toServer', 7, 'abc', SYN);
    h.seg('toServer', 11, 'def');
    expect(h.text('toServer')).toBe('abcdef');
  });
});

describe('TcpReassembler: reordering, duplicates, overlaps', () => {
  it('buffers out-of-order segments and delivers them once the hole fills', () => {
    const h = new Harness();
    h.seg('toServer', 0, '', SYN);
    h.seg('toServer', 7, 'ghi');
    h.seg('toServer', 4, 'def');
    expect(h.text('toServer')).toBe('');
    expect(h.r.toServer.bufferedBytes).toBe(6 + 2 * SEGMENT_OVERHEAD_BYTES);
    h.seg('toServer', 1, 'abc');
    expect(h.text('toServer')).toBe('abcdefghi');
    expect(h.r.toServer.bufferedBytes).toBe(0);
    expect(h.budget.used).toBe(0);
  });

  it('ignores exact retransmissions', () => {
    const h = new Harness();
    h.seg('toServer', 0, '', SYN).seg('toServer', 1, 'abc').seg('toServer', 1, 'abc').seg('toServer', 4, 'de').seg('toServer', 4, 'de');
    expect(h.text('toServer')).toBe('abcde');
    expect(h.events).toEqual([]);
  });

  it('first seen wins on overlap; same data raises nothing', () => {
    const h = new Harness();
    h.seg('toServer', 0, '', SYN).seg('toServer', 5, 'efgh').seg('toServer', 3, 'cdefghij').seg('toServer', 1, 'ab');
    expect(h.text('toServer')).toBe('abcdefghij');
    expect(h.events).toEqual([]);
  });

  it('first seen wins on overlap with different data, and says so', () => {
    const h = new Harness();
    h.seg('toServer', 0, '', SYN).seg('toServer', 5, 'EFGH').seg('toServer', 3, 'cdefghij').seg('toServer', 1, 'ab');
    expect(h.text('toServer')).toBe('abcdEFGHij');
    expect(h.events).toEqual(['toServer:stream.reassembly_overlap_different_data']);
    expect(h.r.toServer.overlapsDifferent).toBe(1);
  });

  it('a segment overlapping delivered data delivers only its new tail', () => {
    const h = new Harness();
    h.seg('toServer', 0, '', SYN).seg('toServer', 1, 'abcd').seg('toServer', 3, 'cdef');
    expect(h.text('toServer')).toBe('abcdef');
  });

  it('a segment covering several buffered ones fills the holes between them', () => {
    const h = new Harness();
    h.seg('toServer', 0, '', SYN).seg('toServer', 3, 'c').seg('toServer', 6, 'f').seg('toServer', 9, 'i');
    h.seg('toServer', 2, 'bXdeXgh');
    expect(h.text('toServer')).toBe('');
    h.seg('toServer', 1, 'a');
    expect(h.text('toServer')).toBe('abcdefghi');
    expect(h.events).toEqual(['toServer:stream.reassembly_overlap_different_data']);
  });
});

describe('TcpReassembler: sequence wraparound', () => {
  it('delivers across 2^32 in order and reordered', () => {
    const h = new Harness();
    h.seg('toServer', 0xfffffffc, '', SYN);
    h.seg('toServer', 0xfffffffd, 'abc');
    h.seg('toServer', 3, 'ghi');
    h.seg('toServer', 0, 'def');
    expect(h.text('toServer')).toBe('abcdefghi');
    expect(h.r.toServer.nextSeq).toBe(6);
  });

  it('midstream start right before the wrap', () => {
    const h = new Harness();
    h.seg('toClient', 0xffffffff, 'ab');
    h.seg('toClient', 1, 'c');
    expect(h.text('toClient')).toBe('abc');
  });
});

describe('TcpReassembler: gaps', () => {
  it('skips a gap when the receiver acknowledges past it', () => {
    const h = new Harness();
    h.seg('toServer', 0, '', SYN);
    h.seg('toClient', 100, '', SYN | ACK, 1);
    h.seg('toServer', 1, 'abc', ACK | PSH, 101);
    h.seg('toServer', 7, 'ghi', ACK | PSH, 101); // 'def' lost by the capture
    expect(h.text('toServer')).toBe('abc');
    h.seg('toClient', 101, '', ACK, 10);
    expect(h.text('toServer')).toBe('abc|ghi');
    expect(h.events).toEqual(['toServer:stream.reassembly_seq_gap']);
    expect(h.r.toServer.gaps).toBe(1);
    // The lost segment arriving late is old news.
    h.seg('toServer', 4, 'def');
    expect(h.text('toServer')).toBe('abc|ghi');
  });

  it('skips a gap at once when the data after it was already acknowledged', () => {
    const h = new Harness();
    h.seg('toServer', 0, '', SYN);
    h.seg('toClient', 100, '', SYN | ACK, 1);
    h.seg('toClient', 101, '', ACK, 10);
    h.seg('toServer', 7, 'ghi');
    expect(h.text('toServer')).toBe('|ghi');
  });

  it('skips gaps at flow end', () => {
    const h = new Harness();
    h.seg('toServer', 0, '', SYN).seg('toServer', 1, 'ab').seg('toServer', 5, 'ef').seg('toServer', 9, 'ij');
    expect(h.text('toServer')).toBe('ab');
    h.finish();
    expect(h.text('toServer')).toBe('ab|ef|ij');
    expect(h.events).toEqual(['toServer:stream.reassembly_seq_gap', 'toServer:stream.reassembly_seq_gap']);
    expect(h.budget.used).toBe(0);
  });

  it('skips the oldest gap when the direction cap would be exceeded', () => {
    const cap = 2 * (4 + SEGMENT_OVERHEAD_BYTES);
    const h = new Harness(cap);
    h.seg('toServer', 0, '', SYN);
    h.seg('toServer', 5, 'efgh');
    h.seg('toServer', 13, 'mnop');
    expect(h.r.toServer.bufferedBytes).toBe(cap);
    h.seg('toServer', 21, 'uvwx');
    expect(h.text('toServer')).toBe('|efgh');
    expect(h.r.toServer.bufferedBytes).toBe(cap);
    h.seg('toServer', 9, 'ijkl');
    expect(h.text('toServer')).toBe('|efghijklmnop');
  });

  it('a piece larger than the cap is delivered right away after a gap', () => {
    const h = new Harness(10);
    h.seg('toServer', 0, '', SYN).seg('toServer', 5, 'efgh');
    expect(h.text('toServer')).toBe('|efgh');
    expect(h.r.toServer.bufferedBytes).toBe(0);
  });

  it('RST flushes both directions and ends the stream', () => {
    const h = new Harness();
    h.seg('toServer', 0, '', SYN).seg('toServer', 1, 'a').seg('toServer', 3, 'c');
    h.seg('toClient', 50, 'x').seg('toClient', 52, 'z');
    h.seg('toClient', 53, '', RST);
    expect(h.text('toServer')).toBe('a|c');
    expect(h.text('toClient')).toBe('x|z');
    expect(h.r.reset).toBe(true);
    h.seg('toServer', 4, 'd');
    expect(h.text('toServer')).toBe('a|c');
  });
});

describe('TcpReassembler: FIN', () => {
  it('ends the direction once everything up to the FIN is delivered, ignoring data past it', () => {
    const h = new Harness();
    h.seg('toServer', 0, '', SYN);
    h.seg('toServer', 4, 'def', FIN | ACK);
    expect(h.r.toServer.ended).toBe(false);
    h.seg('toServer', 1, 'abc');
    expect(h.r.toServer.ended).toBe(true);
    h.seg('toServer', 7, 'zzz');
    expect(h.text('toServer')).toBe('abcdef');
  });
});

describe('StreamMemoryBudget', () => {
  it('reclaims the buffer of the direction that started buffering first, and counts it', () => {
    const per = 3 + SEGMENT_OVERHEAD_BYTES;
    const budget = new StreamMemoryBudget(2 * per);
    const a = new TcpReassembler(budget);
    const b = new TcpReassembler(budget);
    const out = new ReassemblyOutput();
    a.onSegment('toServer', 0, 0, SYN, new Uint8Array(0), out);
    b.onSegment('toServer', 0, 0, SYN, new Uint8Array(0), out);
    a.onSegment('toServer', 10, 0, ACK, bytes('aaa'), out);
    b.onSegment('toServer', 10, 0, ACK, bytes('bbb'), out);
    expect(budget.used).toBe(2 * per);
    b.onSegment('toServer', 20, 0, ACK, bytes('ccc'), out);
    expect(budget.used).toBe(2 * per);
    expect(budget.droppedBytes).toBe(3);
    expect(budget.droppedSegments).toBe(1);
    expect(a.toServer.bufferedBytes).toBe(0);
    expect(b.toServer.bufferedBytes).toBe(2 * per);
    // The dropped bytes show up as a gap at the end of a's stream.
    a.onSegment('toServer', 1, 0, ACK, bytes('123456789'), out);
    a.finish(out);
    expect(out.chunks.filter((c) => c.direction === 'toServer').map((c) => dec.decode(c.data))).toEqual(['123456789']);
  });

  it('refuses a segment larger than the whole budget', () => {
    const budget = new StreamMemoryBudget(10);
    const r = new TcpReassembler(budget);
    const out = new ReassemblyOutput();
    r.onSegment('toServer', 0, 0, SYN, new Uint8Array(0), out);
    r.onSegment('toServer', 100, 0, ACK, bytes('abc'), out);
    expect(budget.refusedSegments).toBe(1);
    expect(out.events).toEqual([{ name: 'stream.reassembly_memcap_drop', direction: 'toServer' }]);
    expect(budget.used).toBe(0);
  });
});

describe('TcpReassembler: every split of a stream delivers it identically', () => {
  const text = 'The quick brown fox jumps over the lazy dog!'; // 44 bytes
  const data = bytes(text);

  function run(isn: number, parts: Array<[number, number]>): string {
    const h = new Harness();
    h.seg('toServer', isn, '', SYN);
    for (const [a, b] of parts) h.seg('toServer', isn + 1 + a, data.subarray(a, b));
    h.finish();
    return h.text('toServer') + (h.events.length > 0 ? `!${h.events.join(',')}` : '');
  }

  it('two parts in both orders, across the wrap', () => {
    for (const isn of [0, 0xffffffff - 20]) {
      for (let i = 1; i < data.length; i++) {
        expect(run(isn, [[0, i], [i, data.length]])).toBe(text);
        expect(run(isn, [[i, data.length], [0, i]])).toBe(text);
      }
    }
  });

  it('three parts in all six orders, with an overlapping duplicate', () => {
    const orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
    for (let i = 1; i < data.length; i++) {
      for (let j = i + 1; j < data.length; j++) {
        const parts: Array<[number, number]> = [[0, i], [i, j], [j, data.length]];
        for (const o of orders) {
          const ordered = o.map((k) => parts[k]!);
          expect(run(0xfffffff0, ordered)).toBe(text);
          expect(run(7, [...ordered, [Math.max(0, i - 3), j]])).toBe(text);
        }
      }
    }
  });
});

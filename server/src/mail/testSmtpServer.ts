/**
 * A real SMTP server in the test process (smtp-server on 127.0.0.1, a free port): it keeps every
 * message it accepts, byte for byte, and can be told to refuse the next ones with a given reply.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMessage {
  raw: Buffer;
  from: string;
  to: string[];
}

export interface TestSmtpServer {
  /** smtp://127.0.0.1:<port> */
  url: string;
  received: ReceivedMessage[];
  /** Refuses the next `count` messages at the end of DATA with `code` (451, 550, …). */
  refuseNext(code: number, message: string, count?: number): void;
  /** Holds each message this long before answering, so senders overlap. */
  delayMs: number;
  /** Messages whose DATA has begun, answered or not. */
  readonly started: number;
  close(): Promise<void>;
}

export async function startTestSmtpServer(): Promise<TestSmtpServer> {
  const refusals: { code: number; message: string }[] = [];
  const received: ReceivedMessage[] = [];
  const state = { delayMs: 0, started: 0 };
  const server = new SMTPServer({
    authOptional: true,
    // Its built-in certificate is self-signed: nodemailer would upgrade and then refuse it.
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      state.started += 1;
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        setTimeout(() => {
          const refusal = refusals.shift();
          if (refusal) {
            callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
            return;
          }
          const envelope = session.envelope;
          received.push({
            raw: Buffer.concat(chunks),
            from: envelope.mailFrom ? envelope.mailFrom.address : '',
            to: envelope.rcptTo.map((r) => r.address),
          });
          callback();
        }, state.delayMs);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    refuseNext(code, message, count = 1) {
      for (let i = 0; i < count; i++) refusals.push({ code, message });
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(ms: number) {
      state.delayMs = ms;
    },
    get started() {
      return state.started;
    },
    close: () => new Promise<void>((resolve) => server.close(resolve)),
  };
}

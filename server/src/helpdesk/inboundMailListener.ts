/**
 * The inbound SMTP listener (off unless a port is configured): accepts mail for the desk's
 * addresses, keeps it to the size limit, and hands each message to the help desk, which turns it
 * into a ticket or a comment. A message the desk cannot take is refused with a temporary error so the
 * sending server retries rather than losing it.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { MAX_INBOUND_MAIL_BYTES } from './inboundMail.ts';

export interface InboundMailListenerOptions {
  host: string;
  port: number;
  /** Lowercase addresses the desk answers (soudan@…); empty accepts any recipient. */
  recipients: readonly string[];
  deliver(raw: Buffer): Promise<unknown>;
  onError?(error: unknown): void;
}

export interface InboundMailListener {
  port: number;
  close(): Promise<void>;
}

export async function startInboundMailListener(options: InboundMailListenerOptions): Promise<InboundMailListener> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    size: MAX_INBOUND_MAIL_BYTES,
    onRcptTo(address, _session, callback) {
      if (options.recipients.length > 0 && !options.recipients.includes(address.address.toLowerCase())) {
        callback(Object.assign(new Error(`no mailbox ${address.address} here`), { responseCode: 550 }));
        return;
      }
      callback();
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          callback(Object.assign(new Error('message too large'), { responseCode: 552 }));
          return;
        }
        options.deliver(Buffer.concat(chunks)).then(
          () => callback(),
          (error: unknown) => {
            options.onError?.(error);
            callback(Object.assign(new Error('could not store the message, try again later'), { responseCode: 451 }));
          },
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

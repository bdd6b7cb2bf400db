import { afterEach, describe, expect, it } from 'vitest';
import { SmtpMailer } from '../mail/smtpMailer.ts';
import { startInboundMailListener, type InboundMailListener } from './inboundMailListener.ts';
import { japaneseMail } from './japaneseMailFixture.ts';

let listener: InboundMailListener | undefined;
afterEach(async () => {
  await listener?.close();
  listener = undefined;
});

const raw = japaneseMail({ charset: 'ISO-2022-JP', from: 'a@customer.example', subject: 'ウイルス感染の疑い', body: '至急\n' });

describe('inbound SMTP listener', () => {
  it('hands each accepted message to the desk byte for byte', async () => {
    const delivered: Buffer[] = [];
    listener = await startInboundMailListener({ host: '127.0.0.1', port: 0, recipients: ['soudan@otasuke.example'], deliver: async (m) => delivered.push(m) });
    await new SmtpMailer(`smtp://127.0.0.1:${listener.port}`, { timeoutMs: 10_000 }).send(raw, { from: 'a@customer.example', to: ['Soudan@Otasuke.example'] });
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.toString('latin1').replace(/\r\n$/, '')).toBe(raw.toString('latin1').replace(/\r\n$/, ''));
  });

  it('refuses other mailboxes for good, and asks to retry when the desk cannot store the mail', async () => {
    const errors: unknown[] = [];
    listener = await startInboundMailListener({ host: '127.0.0.1', port: 0, recipients: ['soudan@otasuke.example'], deliver: async () => Promise.reject(new Error('database down')), onError: (e) => errors.push(e) });
    const mailer = new SmtpMailer(`smtp://127.0.0.1:${listener.port}`, { timeoutMs: 10_000 });
    await expect(mailer.send(raw, { from: 'a@customer.example', to: ['someone@otasuke.example'] })).rejects.toMatchObject({ permanent: true });
    await expect(mailer.send(raw, { from: 'a@customer.example', to: ['soudan@otasuke.example'] })).rejects.toMatchObject({ permanent: false });
    expect(errors).toHaveLength(1);
  });
});

/**
 * The notification mails' own words around the owner text of the incident (explain/): reminders,
 * escalation, the acknowledgement link, the all-quiet month, and the acknowledgement page.
 * Japanese first, English second; a contact reads the language of their `locale`.
 */
import type { Locale } from '@otasuke/shared';
import type { NotificationPurpose } from './notificationPolicy.ts';

export interface IncidentMailParts {
  contactName: string;
  subject: string;
  body: string;
  purpose: NotificationPurpose;
  sendNumber: number;
  newDetections: number;
  toBackup: boolean;
  ackLink: string;
  ackDays: number;
}

const words = {
  ja: {
    reminder: '【再送】',
    escalation: '【至急・再送】',
    greeting: (name: string) => `${name} 様`,
    more: (n: number) => `前回のお知らせのあと、同じ件で新たに ${n.toLocaleString('ja-JP')} 件の検知がありました。`,
    again: (k: number) => `このお知らせは ${k} 回目です。まだ「確認しました」のご連絡をいただいていません。`,
    backup: 'ご担当者様から確認のご連絡がないため、予備の連絡先であるあなたにもお送りしています。',
    ack: (days: number) => `■ お読みになったら、次のリンクを押してください（ログイン不要・${days}日間有効）。押すとこのお知らせの繰り返しが止まります。`,
    signature: 'サイバーセキュリティお助け隊',
    quietSubject: (month: string) => `【お助け隊】${month}の見守り報告：対応が必要なことはありませんでした`,
    quietBody: (name: string, month: string, packets: number, alerts: number) =>
      `${name} 様\n\n${month}も、センサーが御社のネットワークを見守りました。\n\n・見守った通信: ${packets.toLocaleString('ja-JP')} パケット\n・記録した検知: ${alerts.toLocaleString('ja-JP')} 件（いずれも対応の必要はありませんでした）\n\n今月、御社にお願いすることはありません。引き続き24時間見守ります。\n\nサイバーセキュリティお助け隊`,
  },
  en: {
    reminder: '[Reminder] ',
    escalation: '[Urgent reminder] ',
    greeting: (name: string) => `Dear ${name},`,
    more: (n: number) => `Since our last message, ${n.toLocaleString('en-US')} more detections of the same kind arrived.`,
    again: (k: number) => `This is message number ${k}; nobody has told us yet that it was read.`,
    backup: 'The main contact has not confirmed yet, so we are also writing to you as the backup contact.',
    ack: (days: number) => `■ Once you have read this, open the link below (no login, valid for ${days} days). It stops these reminders.`,
    signature: 'Cybersecurity Otasuketai',
    quietSubject: (month: string) => `[Otasuke] ${month}: nothing needed you`,
    quietBody: (name: string, month: string, packets: number, alerts: number) =>
      `Dear ${name},\n\nIn ${month} the sensor watched your network.\n\n- Traffic watched: ${packets.toLocaleString('en-US')} packets\n- Detections recorded: ${alerts.toLocaleString('en-US')} (none needed you)\n\nThere is nothing for you to do this month. We keep watching around the clock.\n\nCybersecurity Otasuketai`,
  },
} as const;

export function incidentMail(locale: Locale, parts: IncidentMailParts): { subject: string; text: string } {
  const w = words[locale];
  const prefix = parts.purpose === 'escalation' ? w.escalation : parts.purpose === 'reminder' ? w.reminder : '';
  const notes = [
    ...(parts.sendNumber > 1 ? [w.again(parts.sendNumber)] : []),
    ...(parts.newDetections > 0 ? [w.more(parts.newDetections)] : []),
    ...(parts.toBackup ? [w.backup] : []),
  ];
  const text = [w.greeting(parts.contactName), '', ...(notes.length > 0 ? [...notes, ''] : []), parts.body.trimEnd(), '', w.ack(parts.ackDays), parts.ackLink, '', w.signature, ''].join('\n');
  return { subject: `${prefix}${parts.subject}`, text };
}

export function quietMail(locale: Locale, name: string, month: string, packets: number, alerts: number): { subject: string; text: string } {
  const label = locale === 'ja' ? `${Number(month.slice(0, 4))}年${Number(month.slice(5, 7))}月` : month;
  return { subject: words[locale].quietSubject(label), text: words[locale].quietBody(name, label, packets, alerts) };
}

export interface DigestItem {
  /** When it was opened, Japan time `HH:mm`. */
  time: string;
  title: string;
  alertCount: number;
  resolved: boolean;
}

const WEEKDAYS_JA = ['日', '月', '火', '水', '木', '金', '土'];

/** The daily digest of low-priority incidents (day = `YYYY-MM-DD`, a Japan day). */
export function digestMail(locale: Locale, name: string, day: string, items: readonly DigestItem[], portalUrl: string): { subject: string; text: string } {
  const date = new Date(`${day}T00:00:00Z`);
  if (locale === 'ja') {
    const label = `${date.getUTCMonth() + 1}月${date.getUTCDate()}日（${WEEKDAYS_JA[date.getUTCDay()]}）`;
    const lines = items.map((i) => `・${i.time} ${i.title}（${i.alertCount.toLocaleString('ja-JP')}件）${i.resolved ? ' ［対応済み］' : ''}`);
    return {
      subject: `【お助け隊】${label}の見守りまとめ：急ぎではないお知らせが${items.length}件あります`,
      text: [
        `${name} 様`,
        '',
        `${label}に、急ぎではありませんが知っておいていただきたい検知が ${items.length} 件ありました。`,
        'いずれも今すぐの対応は必要ありません。お時間のあるときにご確認ください。',
        '',
        ...lines,
        '',
        '■ くわしくは、お助け隊のページでご覧いただけます。',
        portalUrl,
        '',
        '急ぎの件は、このまとめを待たずにすぐお知らせします。',
        'このまとめが不要になった場合は、お助け隊の窓口にお知らせください。',
        '',
        words.ja.signature,
        '',
      ].join('\n'),
    };
  }
  const label = date.toLocaleDateString('en-US', { weekday: 'short', month: 'short', day: 'numeric', timeZone: 'UTC' });
  const lines = items.map((i) => `- ${i.time} ${i.title} (${i.alertCount.toLocaleString('en-US')})${i.resolved ? ' [resolved]' : ''}`);
  return {
    subject: `[Otasuke] Daily summary for ${label}: ${items.length} non-urgent item${items.length === 1 ? '' : 's'}`,
    text: [
      `Dear ${name},`,
      '',
      `On ${label} we saw ${items.length} detection${items.length === 1 ? '' : 's'} worth knowing about, none of them urgent.`,
      'Nothing needs to be done right now; please have a look when you have time.',
      '',
      ...lines,
      '',
      '■ Details are on the Otasuke page:',
      portalUrl,
      '',
      'Urgent matters are never held for this summary: we tell you about them at once.',
      'If you no longer want this summary, tell the Otasuke help desk.',
      '',
      words.en.signature,
      '',
    ].join('\n'),
  };
}

export type AckOutcome = 'acknowledged' | 'already' | 'expired' | 'used' | 'invalid';

const pageTexts: Record<AckOutcome | 'confirm', { title: string; body: string }> = {
  confirm: { title: 'このお知らせを確認しましたか', body: '下のボタンを押すと、お助け隊に「確認した」と伝わり、このお知らせの再送が止まります。' },
  acknowledged: { title: '確認のご連絡を受け付けました', body: 'ありがとうございます。このお知らせの再送は止まります。対応についてご不明な点は、お助け隊のサポート窓口にお電話ください。' },
  already: { title: 'すでに確認済みです', body: 'この件は確認のご連絡をすでにいただいています。再送は止まっています。' },
  used: { title: 'このリンクはすでに使われました', body: '確認のリンクは1回だけ使えます。この件は確認済みとして記録されています。' },
  expired: { title: 'このリンクは有効期限が切れています', body: '確認のリンクの有効期限が過ぎました。コンソールにログインして確認するか、サポート窓口にお電話ください。' },
  invalid: { title: 'このリンクは使えません', body: 'リンクが正しくないか、別の件・別の会社のものです。メールのリンクをそのまま開いてください。解決しない場合はサポート窓口にお電話ください。' },
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page the one-click link answers with (Japanese; no script, no external resources). */
export function ackPage(outcome: AckOutcome | 'confirm', incidentTitle: string | null, token?: string): string {
  const t = pageTexts[outcome];
  // text/plain with no fields: an empty body Fastify accepts without a form parser.
  const form =
    outcome === 'confirm' && token !== undefined
      ? `<form method="post" action="/ack/${encodeURIComponent(token)}" enctype="text/plain"><button type="submit" style="font-size:1.2em;padding:.6em 1.4em">確認しました</button></form>`
      : '';
  return `<!doctype html><html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(t.title)} | お助け隊</title></head><body style="font-family:sans-serif;max-width:40em;margin:2em auto;padding:0 1em"><h1>${escapeHtml(t.title)}</h1>${incidentTitle ? `<p><strong>${escapeHtml(incidentTitle)}</strong></p>` : ''}<p>${escapeHtml(t.body)}</p>${form}<p>サイバーセキュリティお助け隊</p></body></html>`;
}

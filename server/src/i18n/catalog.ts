/**
 * Text the server writes for people (mails, later reports): Japanese first, English second.
 * Keys are stable; every key must exist in both catalogs (checked by catalog.test.ts).
 */
import type { Locale } from '@otasuke/shared';

const ja = {
  'mail.passwordReset.subject': '【お助け隊】パスワード再設定のご案内',
  'mail.passwordReset.body':
    '{{name}} 様\n\nパスワード再設定のお申し込みを受け付けました。\n下のリンクを開き、新しいパスワードを設定してください（有効期限: {{minutes}}分、1回限り）。\n\n{{link}}\n\nお心当たりがない場合は、このメールを破棄してください。パスワードは変更されません。\n\nサイバーセキュリティお助け隊',
  'mail.invoice.subject': '【お助け隊】{{month}}分 ご請求書（{{number}}）',
  'mail.invoice.body':
    '{{name}} 様\n\nサイバーセキュリティお助け隊をご利用いただきありがとうございます。\n{{month}}分の適格請求書を発行しました。\n\n請求書番号: {{number}}\nご請求金額（税込）: {{total}}\nお支払期限: {{due}}\n\n請求書（PDF）は次のリンクからダウンロードできます（ログインが必要です）。\n{{link}}\n\nサイバーセキュリティお助け隊',
  'mail.creditNote.subject': '【お助け隊】返還請求書（{{number}}）',
  'mail.creditNote.body':
    '{{name}} 様\n\n請求内容の訂正のため、適格返還請求書を発行しました。\n\n返還請求書番号: {{number}}\n返還金額（税込）: {{total}}\n理由: {{reason}}\n\nPDF: {{link}}\n\nサイバーセキュリティお助け隊',
  'mail.invoiceReminder.subject': '【お助け隊】お支払期限を過ぎたご請求があります（{{number}}）',
  'mail.invoiceReminder.body':
    '{{name}} 様\n\n下記のご請求について、お支払期限（{{due}}）を過ぎてもお支払いを確認できておりません。\nお手数ですがご確認のうえお支払いをお願いいたします。行き違いでお支払い済みの場合はご容赦ください。\n\n請求書番号: {{number}}\nご請求金額（税込）: {{total}}\n\nPDF: {{link}}\n\nサイバーセキュリティお助け隊',
  'mail.invitation.subject': '【お助け隊】ご利用開始のご案内（アカウント設定）',
  'mail.invitation.body':
    '{{name}} 様\n\nサイバーセキュリティお助け隊へのお申し込みを承認しました。\n下のリンクを開き、パスワードを設定してご利用を開始してください（有効期限: {{days}}日、1回限り）。\n\n{{link}}\n\nサイバーセキュリティお助け隊',
  'mail.application.received.subject': '【お助け隊】お申し込みを受け付けました',
  'mail.application.received.body':
    '{{name}} 様\n\n{{company}} のお申し込みを受け付けました（受付番号: {{id}}）。\n内容を確認のうえ、担当者よりご連絡いたします。\n\nサイバーセキュリティお助け隊',
  'mail.application.infoRequested.subject': '【お助け隊】お申し込み内容の確認のお願い',
  'mail.application.infoRequested.body':
    '{{name}} 様\n\n{{company}} のお申し込みについて、次の点をご確認ください。\n\n{{message}}\n\nこのメールにご返信ください。\n\nサイバーセキュリティお助け隊',
  'mail.application.rejected.subject': '【お助け隊】お申し込みについて',
  'mail.application.rejected.body':
    '{{name}} 様\n\n{{company}} のお申し込みについて、誠に恐れ入りますが今回はお受けできません。\n理由: {{reason}}\n\nサイバーセキュリティお助け隊',
  'mail.ticket.reply.subject': '【お助け隊】[#{{number}}] {{subject}}',
  'mail.ticket.reply.body':
    '{{name}} 様\n\nお問い合わせ（{{number}}）について、相談窓口よりご回答します。\n\n{{body}}\n\nこのメールにそのままご返信いただくと、担当者に届きます（件名の [#{{number}}] は消さないでください）。\n\nサイバーセキュリティお助け隊 相談窓口',
  'mail.dispatch.offer.subject': '【お助け隊】駆け付け依頼のご打診（{{prefecture}}{{city}}・{{skill}}）',
  'mail.dispatch.offer.body':
    '{{company}} 御中\n\nお助け隊より駆け付け対応をご依頼します。\n\n訪問先: {{prefecture}}{{city}}\n必要な対応: {{skill}}\n内容: {{problem}}\n\n{{deadline}} までに、ポータルで受諾またはお断りをご回答ください。期限を過ぎると他の業者様にご依頼します。\n{{link}}\n\nサイバーセキュリティお助け隊',
  'mail.vendorStaffInvitation.subject': '【お助け隊】協力会社ポータルのアカウントのご案内',
  'mail.vendorStaffInvitation.body':
    '{{name}} 様\n\nサイバーセキュリティお助け隊の駆け付け協力会社「{{company}}」のポータルに、あなたのアカウントを作成しました。\n下のリンクを開き、パスワードを設定してください（有効期限: {{days}}日、1回限り）。\n設定後は、このメールアドレスとパスワードでログインし、{{company}} への駆け付け依頼の確認・受諾・報告ができます。\n\n{{link}}\n\nお心当たりがない場合は、このメールを破棄してください。\n\nサイバーセキュリティお助け隊',
} as const;

export type MessageKey = keyof typeof ja;

const en: Record<MessageKey, string> = {
  'mail.passwordReset.subject': '[Otasuke] Resetting your password',
  'mail.passwordReset.body':
    'Dear {{name}},\n\nWe received a request to reset your password.\nOpen the link below to set a new one (valid for {{minutes}} minutes, once).\n\n{{link}}\n\nIf you did not ask for this, ignore this mail; your password stays as it is.\n\nCybersecurity Otasuketai',
  'mail.invoice.subject': '[Otasuke] Invoice for {{month}} ({{number}})',
  'mail.invoice.body':
    'Dear {{name}},\n\nThank you for using Cybersecurity Otasuketai.\nYour qualified invoice for {{month}} has been issued.\n\nInvoice number: {{number}}\nAmount due (tax included): {{total}}\nDue date: {{due}}\n\nDownload the invoice (PDF) here (sign-in required):\n{{link}}\n\nCybersecurity Otasuketai',
  'mail.creditNote.subject': '[Otasuke] Credit note ({{number}})',
  'mail.creditNote.body':
    'Dear {{name}},\n\nWe issued a qualified credit note to correct an invoice.\n\nCredit note number: {{number}}\nAmount credited (tax included): {{total}}\nReason: {{reason}}\n\nPDF: {{link}}\n\nCybersecurity Otasuketai',
  'mail.invoiceReminder.subject': '[Otasuke] Payment overdue ({{number}})',
  'mail.invoiceReminder.body':
    'Dear {{name}},\n\nWe have not received payment of the invoice below, due on {{due}}.\nPlease check and pay it. If you have already paid, please disregard this mail.\n\nInvoice number: {{number}}\nAmount due (tax included): {{total}}\n\nPDF: {{link}}\n\nCybersecurity Otasuketai',
  'mail.invitation.subject': '[Otasuke] Welcome: set up your account',
  'mail.invitation.body':
    'Dear {{name}},\n\nYour application to Cybersecurity Otasuketai has been approved.\nOpen the link below to set your password and start (valid for {{days}} days, once).\n\n{{link}}\n\nCybersecurity Otasuketai',
  'mail.application.received.subject': '[Otasuke] We received your application',
  'mail.application.received.body':
    'Dear {{name}},\n\nWe received the application of {{company}} (reference {{id}}).\nWe will check it and contact you.\n\nCybersecurity Otasuketai',
  'mail.application.infoRequested.subject': '[Otasuke] Please complete your application',
  'mail.application.infoRequested.body':
    'Dear {{name}},\n\nAbout the application of {{company}}, please tell us the following.\n\n{{message}}\n\nReply to this mail.\n\nCybersecurity Otasuketai',
  'mail.application.rejected.subject': '[Otasuke] About your application',
  'mail.application.rejected.body':
    'Dear {{name}},\n\nWe are sorry, we cannot accept the application of {{company}} this time.\nReason: {{reason}}\n\nCybersecurity Otasuketai',
  'mail.ticket.reply.subject': '[Otasuke] [#{{number}}] {{subject}}',
  'mail.ticket.reply.body':
    'Dear {{name}},\n\nThe help desk answers your request {{number}}:\n\n{{body}}\n\nReply to this mail to reach the agent (keep [#{{number}}] in the subject).\n\nCybersecurity Otasuketai help desk',
  'mail.dispatch.offer.subject': '[Otasuke] On-site job offer ({{prefecture}} {{city}}, {{skill}})',
  'mail.dispatch.offer.body':
    'To {{company}},\n\nOtasuke offers you an on-site job.\n\nWhere: {{prefecture}} {{city}}\nSkill: {{skill}}\nProblem: {{problem}}\n\nPlease accept or decline in the portal by {{deadline}}; after that the job is offered to another vendor.\n{{link}}\n\nCybersecurity Otasuketai',
  'mail.vendorStaffInvitation.subject': '[Otasuke] Your account for the vendor portal',
  'mail.vendorStaffInvitation.body':
    'Dear {{name}},\n\nWe created your account in the portal of {{company}}, an on-site partner of Cybersecurity Otasuketai.\nOpen the link below to set your password (valid for {{days}} days, once).\nThen sign in with this email address and your password to see, accept and report the on-site jobs offered to {{company}}.\n\n{{link}}\n\nIf you were not expecting this, ignore this mail.\n\nCybersecurity Otasuketai',
};

export const catalogs: Record<Locale, Record<MessageKey, string>> = { ja, en };

export function translate(locale: Locale, key: MessageKey, vars: Record<string, string | number> = {}): string {
  return catalogs[locale][key].replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(vars[name] ?? `{{${name}}}`));
}

/** A mail body in the reader's language first, then the other one, so nobody is left out. */
export function bilingual(locale: Locale, key: MessageKey, vars: Record<string, string | number> = {}): string {
  const other: Locale = locale === 'ja' ? 'en' : 'ja';
  return `${translate(locale, key, vars)}\n\n----------------------------------------\n\n${translate(other, key, vars)}`;
}

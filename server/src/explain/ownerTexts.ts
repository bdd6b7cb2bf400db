/**
 * What we tell the owner of a small business, per `otasuke_explain` key: what happened, how serious
 * it is for the business, what the service is doing, what to do now. Japanese first (です・ます, short
 * sentences, no jargon), English second. Placeholders: {{host}} (the machine in the office),
 * {{peer}} (the other side on the internet), {{count}} (how many detections).
 *
 * The sensor's rule alerts carry `rule.<classtype>` (ET Open's classification.config); classtypes are
 * grouped, since an owner needs the same advice for "attempted-admin" and "attempted-user".
 */
import type { Locale } from '@otasuke/shared';

export interface OwnerTextTemplate {
  title: string;
  what: string;
  severity: string;
  doing: string;
  action: string;
}

type Bilingual = Record<Locale, OwnerTextTemplate>;

const CALL_JA = '分からないことがあれば、お助け隊の窓口にお電話ください。';
const CALL_EN = 'If anything is unclear, call the Otasuketai help desk.';
const ISOLATE_JA = '{{host}} のLANケーブルを抜き、Wi-Fiを切ってください。電源は切らずにそのままにしてください（調べるのに必要です）。';
const ISOLATE_EN = 'Unplug the LAN cable of {{host}} and turn off its Wi-Fi. Leave it switched on (we need it as it is to investigate).';

const texts = {
  c2_communication: {
    ja: {
      title: 'パソコンが攻撃者のサーバーと通信しています',
      what: '社内の {{host}} が、攻撃者が操るサーバー（{{peer}}）と通信していました（{{count}}件）。ウイルスに感染している可能性が高いです。',
      severity: 'とても危険です。放っておくと、情報を盗まれたり、ファイルを暗号化されて身代金を要求されたりするおそれがあります。',
      doing: 'お助け隊の担当者がすぐに調べています。感染の範囲を確認し、お電話でご案内します。',
      action: `${ISOLATE_JA}身代金を要求されても払わないでください。${CALL_JA}`,
    },
    en: {
      title: 'A computer is talking to an attacker\'s server',
      what: '{{host}} in your office talked to a server run by attackers ({{peer}}), {{count}} times. It is very likely infected.',
      severity: 'Very serious. Left alone, data may be stolen, or files may be encrypted for a ransom.',
      doing: 'Our analysts are investigating now. We will check how far it has spread and call you.',
      action: `${ISOLATE_EN} If anyone demands a ransom, do not pay. ${CALL_EN}`,
    },
  },
  malicious_site_access: {
    ja: {
      title: '危険なサイトへのアクセスがありました',
      what: '社内の {{host}} が、ウイルス配布やだましに使われているサイト（{{peer}}）にアクセスしました（{{count}}件）。',
      severity: '注意が必要です。ウイルスをダウンロードしたり、パスワードを入力してしまったりした可能性があります。',
      doing: 'お助け隊の担当者が、その後に怪しい通信がないか調べています。',
      action: `{{host}} を使っている方に、最近開いたメールやリンク、入力したパスワードがないか確認してください。パスワードを入力していたら、すぐに変更してください。${CALL_JA}`,
    },
    en: {
      title: 'A dangerous website was visited',
      what: '{{host}} in your office visited a site used to spread viruses or to trick people ({{peer}}), {{count}} times.',
      severity: 'Needs attention. A virus may have been downloaded, or a password typed in.',
      doing: 'Our analysts are checking for suspicious traffic after the visit.',
      action: `Ask the person using {{host}} which mails or links they opened and whether they typed a password. If so, change it now. ${CALL_EN}`,
    },
  },
  inbound_from_known_attacker: {
    ja: {
      title: '攻撃者として知られる相手からの接続がありました',
      what: '攻撃に使われていることが知られている {{peer}} から、会社のネットワークへの接続がありました（{{count}}件）。',
      severity: '多くはセンサーと機器が防いでいます。すぐに被害が出ているわけではありません。',
      doing: 'お助け隊の担当者が、侵入につながる通信がなかったか確認しています。',
      action: `今すぐの対応は不要です。ルーターや機器の管理画面のパスワードが初期設定のままなら変更してください。${CALL_JA}`,
    },
    en: {
      title: 'A known attacker tried to connect',
      what: '{{peer}}, known to be used for attacks, tried to connect to your network ({{count}} times).',
      severity: 'Usually blocked. It does not mean you have been harmed.',
      doing: 'Our analysts are checking that nothing got in.',
      action: `Nothing is needed right now. If your router or devices still use their factory passwords, change them. ${CALL_EN}`,
    },
  },
  malicious_tls_fingerprint: {
    ja: {
      title: 'ウイルスに特有の通信が見つかりました',
      what: '社内の {{host}} から、ウイルスがよく使う形の暗号化通信が {{peer}} に送られていました（{{count}}件）。',
      severity: '危険です。ウイルスに感染している可能性があります。',
      doing: 'お助け隊の担当者がすぐに調べ、結果をお電話でお知らせします。',
      action: `${ISOLATE_JA}${CALL_JA}`,
    },
    en: {
      title: 'Traffic typical of a virus was found',
      what: '{{host}} sent encrypted traffic in a form viruses often use, to {{peer}} ({{count}} times).',
      severity: 'Serious. The computer may be infected.',
      doing: 'Our analysts are investigating now and will call you with the result.',
      action: `${ISOLATE_EN} ${CALL_EN}`,
    },
  },
  malware_file: {
    ja: {
      title: 'ウイルスを含むファイルが見つかりました',
      what: '{{host}} がやり取りしたファイルの中に、ウイルスが見つかりました（{{count}}件）。相手: {{peer}}。',
      severity: '危険です。ファイルを開くと、パソコンが乗っ取られたり、ファイルを暗号化されたりするおそれがあります。',
      doing: 'お助け隊の担当者が、ファイルが開かれたかどうかを含めて調べています。',
      action: `届いたファイルは開かずに削除してください。もう開いてしまった場合は、${ISOLATE_JA}${CALL_JA}`,
    },
    en: {
      title: 'A file with a virus was found',
      what: 'A file sent to or from {{host}} contained a virus ({{count}} times). The other side: {{peer}}.',
      severity: 'Serious. Opening it can let attackers take over the computer or encrypt your files.',
      doing: 'Our analysts are checking, including whether the file was opened.',
      action: `Do not open the file; delete it. If it was already opened: ${ISOLATE_EN} ${CALL_EN}`,
    },
  },
  inbound_port_scan: {
    ja: {
      title: '外部から会社の機器が調べられています',
      what: 'インターネット上の {{peer}} が、社内の {{host}} の入口（ポート）を順番に調べていました（{{count}}件）。',
      severity: '攻撃の下調べです。それだけで被害は出ていません。',
      doing: 'お助け隊の担当者が、この後に侵入の試みがないか見張っています。',
      action: `今すぐの対応は不要です。使っていない機器の外部公開はやめておくと安全です。${CALL_JA}`,
    },
    en: {
      title: 'Someone outside is probing one of your devices',
      what: '{{peer}} on the internet probed the entrances (ports) of {{host}} one by one ({{count}} times).',
      severity: 'This is an attacker\'s reconnaissance. By itself it has done no harm.',
      doing: 'Our analysts are watching for an attempt to break in next.',
      action: `Nothing is needed right now. It is safer not to expose devices you do not use to the internet. ${CALL_EN}`,
    },
  },
  inbound_host_sweep: {
    ja: {
      title: '外部から会社のネットワークが調べられています',
      what: 'インターネット上の {{peer}} が、会社のネットワークにある機器を次々に探していました（{{count}}件）。',
      severity: '攻撃の下調べです。それだけで被害は出ていません。',
      doing: 'お助け隊の担当者が、この後に侵入の試みがないか見張っています。',
      action: `今すぐの対応は不要です。${CALL_JA}`,
    },
    en: {
      title: 'Someone outside is scanning your network',
      what: '{{peer}} on the internet looked for devices across your network ({{count}} times).',
      severity: 'This is reconnaissance. By itself it has done no harm.',
      doing: 'Our analysts are watching for an attempt to break in next.',
      action: `Nothing is needed right now. ${CALL_EN}`,
    },
  },
  brute_force_ssh: bruteForce('サーバーの遠隔管理（SSH）', 'remote administration (SSH)'),
  brute_force_rdp: bruteForce('リモートデスクトップ', 'Remote Desktop'),
  brute_force_smb: bruteForce('ファイル共有', 'file sharing'),
  brute_force_ftp: bruteForce('ファイル転送（FTP）', 'file transfer (FTP)'),
  brute_force_http: bruteForce('ホームページや管理画面のログイン', 'the login of a website or admin page'),
  weak_tls_version: weakTls('古い暗号化のやり方（古いTLS）を使っています', 'uses an old kind of encryption (an old TLS version)'),
  weak_tls_cipher: weakTls('弱い暗号を使っています', 'uses weak encryption'),
  tls_expired_certificate: weakTls('期限切れの証明書を使っています', 'uses an expired certificate'),
  tls_self_signed_certificate: weakTls('正式に発行されていない証明書を使っています', 'uses a certificate no authority issued'),
  cleartext_credentials: {
    ja: {
      title: 'パスワードが暗号化されずに送られています',
      what: '社内の {{host}} が、パスワードを暗号化しないまま {{peer}} に送っていました（{{count}}件）。',
      severity: '注意が必要です。途中で盗み見られると、そのパスワードが悪用されるおそれがあります。',
      doing: 'お助け隊の担当者が、どのサービスのパスワードかを確認しています。',
      action: `そのサービスのパスワードを変更し、暗号化された接続（https など）に切り替えてください。やり方が分からなければ、${CALL_JA}`,
    },
    en: {
      title: 'A password was sent without encryption',
      what: '{{host}} sent a password to {{peer}} without encryption ({{count}} times).',
      severity: 'Needs attention. Anyone listening on the way could reuse it.',
      doing: 'Our analysts are checking which service it belongs to.',
      action: `Change that password and switch to an encrypted connection (https and the like). ${CALL_EN}`,
    },
  },
  dns_tunnel: {
    ja: {
      title: '情報を隠して持ち出すような通信があります',
      what: '社内の {{host}} が、名前を調べる仕組み（DNS）を使って、不自然に多くのデータを外に送っていました（{{count}}件）。',
      severity: '危険です。ウイルスが情報をこっそり持ち出している可能性があります。',
      doing: 'お助け隊の担当者がすぐに調べ、結果をお電話でお知らせします。',
      action: `${ISOLATE_JA}${CALL_JA}`,
    },
    en: {
      title: 'Data may be leaving in hidden form',
      what: '{{host}} sent unusually much data out through the name lookup system (DNS) ({{count}} times).',
      severity: 'Serious. A virus may be smuggling data out.',
      doing: 'Our analysts are investigating now and will call you with the result.',
      action: `${ISOLATE_EN} ${CALL_EN}`,
    },
  },
  beaconing: {
    ja: {
      title: '決まった間隔で外と通信し続けるパソコンがあります',
      what: '社内の {{host}} が、{{peer}} と機械的に決まった間隔で通信し続けています（{{count}}件）。ウイルスが指示を待つときの動きに似ています。',
      severity: '注意が必要です。正規のソフトの場合もありますが、感染の可能性があります。',
      doing: 'お助け隊の担当者が、正規のソフトかどうかを調べています。',
      action: `{{host}} に最近入れたソフトがないか確認してください。心当たりがなければ、${ISOLATE_JA}${CALL_JA}`,
    },
    en: {
      title: 'A computer keeps calling out at fixed intervals',
      what: '{{host}} keeps contacting {{peer}} at machine-like regular intervals ({{count}} times), the way viruses wait for orders.',
      severity: 'Needs attention. It can be legitimate software, but it may be an infection.',
      doing: 'Our analysts are checking whether it is legitimate software.',
      action: `Check whether new software was installed on {{host}}. If not: ${ISOLATE_EN} ${CALL_EN}`,
    },
  },
  sensor_silent: {
    ja: {
      title: 'センサーからの連絡が止まっています',
      what: '会社に設置したお助け隊のセンサーから、10分以上連絡がありません。',
      severity: 'この間、ネットワークの見張りができていません。',
      doing: 'お助け隊の担当者が状況を確認しています。',
      action: `センサーの電源とLANケーブルが抜けていないか確認してください。抜けていたら差し直してください。${CALL_JA}`,
    },
    en: {
      title: 'The sensor has stopped reporting',
      what: 'The Otasuketai sensor in your office has not reported for more than 10 minutes.',
      severity: 'Your network is not being watched meanwhile.',
      doing: 'Our staff are looking into it.',
      action: `Check that the sensor's power and LAN cables are plugged in; plug them back if not. ${CALL_EN}`,
    },
  },
  sensor_drops: {
    ja: {
      title: 'センサーが通信を見落としています',
      what: '会社に設置したセンサーが、通信の一部を見落としています。',
      severity: '見張りに抜けが出ています。すぐに被害が出るわけではありません。',
      doing: 'お助け隊の担当者が原因を調べています。設定の変更や機器の交換をご案内することがあります。',
      action: `今すぐの対応は不要です。センサーの周りが熱くなっていないか確認してください。${CALL_JA}`,
    },
    en: {
      title: 'The sensor is missing some traffic',
      what: 'The sensor in your office is missing part of the traffic.',
      severity: 'There are gaps in the watch. It does not harm you by itself.',
      doing: 'Our staff are finding the cause; we may suggest a setting change or a replacement.',
      action: `Nothing is needed right now. Check that the sensor is not in a hot place. ${CALL_EN}`,
    },
  },
  sensor_old_bundle: {
    ja: {
      title: 'センサーの検知ルールが古くなっています',
      what: '会社に設置したセンサーの検知ルールが更新されていません。',
      severity: '新しい攻撃を見つけられないおそれがあります。',
      doing: 'お助け隊の担当者が更新できない原因を調べています。',
      action: `センサーがインターネットにつながっているか確認してください。${CALL_JA}`,
    },
    en: {
      title: 'The sensor\'s detection rules are out of date',
      what: 'The detection rules of the sensor in your office have not been updated.',
      severity: 'New attacks may go unnoticed.',
      doing: 'Our staff are finding out why it does not update.',
      action: `Check that the sensor is connected to the internet. ${CALL_EN}`,
    },
  },
  'rule.group.malware': {
    ja: {
      title: 'ウイルス感染が疑われる通信がありました',
      what: '{{host}} と {{peer}} の間で、ウイルスや攻撃者が使う通信が見つかりました（{{count}}件）。',
      severity: '危険です。パソコンが乗っ取られている可能性があります。',
      doing: 'お助け隊の担当者がすぐに調べ、結果をお電話でお知らせします。',
      action: `${ISOLATE_JA}身代金を要求されても払わないでください。${CALL_JA}`,
    },
    en: {
      title: 'Traffic suggesting a virus infection',
      what: 'Traffic used by viruses or attackers was seen between {{host}} and {{peer}} ({{count}} times).',
      severity: 'Serious. The computer may have been taken over.',
      doing: 'Our analysts are investigating now and will call you with the result.',
      action: `${ISOLATE_EN} If anyone demands a ransom, do not pay. ${CALL_EN}`,
    },
  },
  'rule.group.compromise': {
    ja: {
      title: '侵入された可能性があります',
      what: '{{host}} で、攻撃が成功したときに見られる通信がありました（{{count}}件）。相手: {{peer}}。',
      severity: 'とても危険です。機器を乗っ取られたり、情報を持ち出されたりしたおそれがあります。',
      doing: 'お助け隊の担当者がすぐに調べ、結果をお電話でお知らせします。',
      action: `${ISOLATE_JA}${CALL_JA}`,
    },
    en: {
      title: 'A break-in may have succeeded',
      what: 'Traffic typical of a successful attack was seen at {{host}} ({{count}} times). The other side: {{peer}}.',
      severity: 'Very serious. The device may be controlled by attackers, or data taken.',
      doing: 'Our analysts are investigating now and will call you with the result.',
      action: `${ISOLATE_EN} ${CALL_EN}`,
    },
  },
  'rule.group.attack': {
    ja: {
      title: '外部からの攻撃がありました',
      what: '{{peer}} から {{host}} に対して、弱点を突く攻撃がありました（{{count}}件）。',
      severity: '多くはセンサーと機器が防いでいます。機器のソフトが古いと、侵入されるおそれがあります。',
      doing: 'お助け隊の担当者が、攻撃が成功していないか確認しています。',
      action: `{{host}} のソフトやルーターを最新の状態に更新してください。${CALL_JA}`,
    },
    en: {
      title: 'An attack from outside',
      what: '{{peer}} attacked {{host}}, trying to exploit a weakness ({{count}} times).',
      severity: 'Usually blocked. If the device\'s software is old, it could get in.',
      doing: 'Our analysts are checking that it did not succeed.',
      action: `Update the software of {{host}} and your router. ${CALL_EN}`,
    },
  },
  'rule.group.recon': {
    ja: {
      title: '会社のネットワークが調べられています',
      what: '{{peer}} が、会社の機器（{{host}}）について情報を集めようとしていました（{{count}}件）。',
      severity: '攻撃の下調べです。それだけで被害は出ていません。',
      doing: 'お助け隊の担当者が、この後に侵入の試みがないか見張っています。',
      action: `今すぐの対応は不要です。${CALL_JA}`,
    },
    en: {
      title: 'Your network is being looked over',
      what: '{{peer}} tried to gather information about {{host}} ({{count}} times).',
      severity: 'Reconnaissance. By itself it has done no harm.',
      doing: 'Our analysts are watching for an attempt to break in next.',
      action: `Nothing is needed right now. ${CALL_EN}`,
    },
  },
  'rule.group.login': {
    ja: {
      title: '不審なログインの試みがありました',
      what: '{{peer}} から {{host}} に、初期設定のパスワードや怪しい名前でログインしようとする動きがありました（{{count}}件）。',
      severity: '注意が必要です。パスワードが初期設定のままだと、乗っ取られるおそれがあります。',
      doing: 'お助け隊の担当者が、ログインが成功していないか確認しています。',
      action: `{{host}} のパスワードが初期設定や簡単なものなら、長く推測されにくいものに変更してください。${CALL_JA}`,
    },
    en: {
      title: 'Suspicious login attempts',
      what: '{{peer}} tried to log in to {{host}} with factory passwords or odd user names ({{count}} times).',
      severity: 'Needs attention. A device with its factory password can be taken over.',
      doing: 'Our analysts are checking that no login succeeded.',
      action: `If {{host}} uses a factory or simple password, change it to a long one that is hard to guess. ${CALL_EN}`,
    },
  },
  'rule.group.phishing': {
    ja: {
      title: 'だましのサイトやファイルの可能性があります',
      what: '{{host}} で、人をだましてウイルスを入れさせたりパスワードを盗んだりする仕掛けに関わる通信がありました（{{count}}件）。相手: {{peer}}。',
      severity: '注意が必要です。パスワードを入力したりファイルを開いたりしていると危険です。',
      doing: 'お助け隊の担当者が、その後に怪しい通信がないか調べています。',
      action: `{{host}} を使っている方に、最近開いたメールやリンクを確認してください。パスワードを入力していたら、すぐに変更してください。${CALL_JA}`,
    },
    en: {
      title: 'Possibly a trick site or file',
      what: 'Traffic of a scheme that tricks people into installing viruses or giving passwords was seen at {{host}} ({{count}} times). The other side: {{peer}}.',
      severity: 'Needs attention, especially if a password was typed or a file opened.',
      doing: 'Our analysts are checking for suspicious traffic afterwards.',
      action: `Ask the person using {{host}} which mails and links they opened. If a password was typed, change it now. ${CALL_EN}`,
    },
  },
  'rule.group.policy': {
    ja: {
      title: '業務に不要な可能性があるソフトや通信があります',
      what: '{{host}} で、不要なソフト・仮想通貨の採掘・社外への情報公開など、会社の方針に合わない可能性のある通信がありました（{{count}}件）。',
      severity: 'すぐに危険なものではありませんが、情報漏えいや動作の遅さにつながることがあります。',
      doing: 'お助け隊の担当者が内容を確認しています。',
      action: `{{host}} に心当たりのないソフトが入っていないか確認してください。${CALL_JA}`,
    },
    en: {
      title: 'Software or traffic that may not belong at work',
      what: 'Traffic that may go against your policy — unwanted software, crypto mining, sharing data outside — was seen at {{host}} ({{count}} times).',
      severity: 'Not dangerous right away, but it can leak data or slow computers down.',
      doing: 'Our analysts are reviewing it.',
      action: `Check {{host}} for software nobody remembers installing. ${CALL_EN}`,
    },
  },
  'rule.group.suspicious': {
    ja: {
      title: '気になる通信がありました',
      what: '{{host}} と {{peer}} の間で、ふだんと違う通信がありました（{{count}}件）。',
      severity: '今のところ危険とは限りません。念のため確認しています。',
      doing: 'お助け隊の担当者が内容を確認し、必要ならご連絡します。',
      action: `今すぐの対応は不要です。${CALL_JA}`,
    },
    en: {
      title: 'Unusual traffic',
      what: 'Unusual traffic was seen between {{host}} and {{peer}} ({{count}} times).',
      severity: 'Not necessarily dangerous. We are checking to be safe.',
      doing: 'Our analysts are reviewing it and will contact you if needed.',
      action: `Nothing is needed right now. ${CALL_EN}`,
    },
  },
} satisfies Record<string, Bilingual>;

function bruteForce(serviceJa: string, serviceEn: string): Bilingual {
  return {
    ja: {
      title: `${serviceJa}のパスワードが狙われています`,
      what: `{{peer}} が、{{host}} の${serviceJa}に、パスワードを次々に試してログインしようとしていました（{{count}}件）。`,
      severity: '注意が必要です。簡単なパスワードだと、乗っ取られるおそれがあります。',
      doing: 'お助け隊の担当者が、ログインが成功していないか確認しています。',
      action: `パスワードを長く推測されにくいものに変更してください。外から使う必要がなければ、外部からの接続を止めてください。${CALL_JA}`,
    },
    en: {
      title: `Someone is guessing passwords for ${serviceEn}`,
      what: `{{peer}} tried password after password to log in to ${serviceEn} on {{host}} ({{count}} times).`,
      severity: 'Needs attention. A simple password could let them in.',
      doing: 'Our analysts are checking that no login succeeded.',
      action: `Change the password to a long one that is hard to guess. If nobody needs it from outside, close it to the internet. ${CALL_EN}`,
    },
  };
}

function weakTls(problemJa: string, problemEn: string): Bilingual {
  return {
    ja: {
      title: `暗号化が弱い通信があります`,
      what: `{{host}} と {{peer}} の間の通信が、${problemJa}（{{count}}件）。`,
      severity: 'すぐに危険ではありませんが、通信の中身を盗み見られるおそれがあります。',
      doing: 'お助け隊の担当者が、どの機器やサービスかを確認しています。',
      action: `{{host}} や相手の機器のソフトを最新にしてください。相手が取引先のサービスなら、その会社に伝えてください。${CALL_JA}`,
    },
    en: {
      title: 'A connection with weak encryption',
      what: `The connection between {{host}} and {{peer}} ${problemEn} ({{count}} times).`,
      severity: 'Not dangerous right away, but its contents could be read by others.',
      doing: 'Our analysts are checking which device or service it is.',
      action: `Update the software on {{host}} or on the other device. If it is a partner's service, tell them. ${CALL_EN}`,
    },
  };
}

/** Every ET Open classtype and the group whose text it uses. */
export const CLASSTYPE_GROUPS: Record<string, keyof typeof texts> = {
  'trojan-activity': 'rule.group.malware',
  'command-and-control': 'rule.group.malware',
  'domain-c2': 'rule.group.malware',
  'targeted-activity': 'rule.group.malware',
  'credential-theft': 'rule.group.malware',
  'shellcode-detect': 'rule.group.malware',
  'successful-admin': 'rule.group.compromise',
  'successful-user': 'rule.group.compromise',
  'successful-recon-limited': 'rule.group.compromise',
  'successful-recon-largescale': 'rule.group.compromise',
  'successful-dos': 'rule.group.compromise',
  'attempted-admin': 'rule.group.attack',
  'attempted-user': 'rule.group.attack',
  'unsuccessful-user': 'rule.group.attack',
  'web-application-attack': 'rule.group.attack',
  'misc-attack': 'rule.group.attack',
  'attempted-dos': 'rule.group.attack',
  'denial-of-service': 'rule.group.attack',
  'rpc-portmap-decode': 'rule.group.attack',
  'system-call-detect': 'rule.group.attack',
  'attempted-recon': 'rule.group.recon',
  'network-scan': 'rule.group.recon',
  'icmp-event': 'rule.group.recon',
  'default-login-attempt': 'rule.group.login',
  'suspicious-login': 'rule.group.login',
  'exploit-kit': 'rule.group.phishing',
  'social-engineering': 'rule.group.phishing',
  'suspicious-filename-detect': 'rule.group.phishing',
  'policy-violation': 'rule.group.policy',
  'pup-activity': 'rule.group.policy',
  'coin-mining': 'rule.group.policy',
  'external-ip-check': 'rule.group.policy',
  'bad-unknown': 'rule.group.suspicious',
  unknown: 'rule.group.suspicious',
  'not-suspicious': 'rule.group.suspicious',
  'string-detect': 'rule.group.suspicious',
  'tcp-connection': 'rule.group.suspicious',
  'unusual-client-port-connection': 'rule.group.suspicious',
  'non-standard-protocol': 'rule.group.suspicious',
  'protocol-command-decode': 'rule.group.suspicious',
  'web-application-activity': 'rule.group.suspicious',
  'misc-activity': 'rule.group.suspicious',
};

export type OwnerTextKey = keyof typeof texts;
export const OWNER_TEXTS: Record<OwnerTextKey, Bilingual> = texts;

/** The sensor's non-rule explain keys (rule alerts use `rule.<classtype>`). */
export const EXPLAIN_KEYS = Object.keys(texts).filter((k) => !k.startsWith('rule.group.'));

/** The text for an explain key: exact, then the classtype's group, then the generic one. */
export function templateFor(explain: string, locale: Locale): OwnerTextTemplate {
  const exact = (OWNER_TEXTS as Record<string, Bilingual>)[explain];
  if (exact) return exact[locale];
  if (explain.startsWith('rule.')) {
    const group = CLASSTYPE_GROUPS[explain.slice(5)];
    if (group) return OWNER_TEXTS[group][locale];
  }
  return OWNER_TEXTS['rule.group.suspicious'][locale];
}

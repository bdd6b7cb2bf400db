/**
 * The behaviour detectors on real captures from ../shared/data/pcaps, run through the real
 * pipeline: the attack captures raise exactly the expected behaviour alerts, the ordinary ones
 * none. Every alert record is validated against the EVE schema and carries the three otasuke
 * metadata keys.
 *
 * HOME_NET is chosen per capture as the business the sensor would protect there (the victim's
 * network for attacks from outside, the infected host's network for outbound traffic); the reason
 * is given beside each case.
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateEveRecord } from '../../eve/eveSchema.ts';
import { runCaptureFile } from '../../pipeline/runCapture.ts';
import { HomeNet } from '../homeNet.ts';
import { createBehaviourStage, DEFAULT_BEHAVIOUR_CONFIG } from './index.ts';

// This file is sensor/src/detect/behaviour/; five levels up is the folder holding the repo and shared/.
const PCAPS = fileURLToPath(new URL('../../../../../shared/data/pcaps/', import.meta.url));
const present = existsSync(PCAPS);
if (!present) console.warn(`\n!!! ${PCAPS} is absent: the behaviour real-capture tests are SKIPPED !!!\n`);

const NDPI = 'ntop__nDPI/tests/cfgs/default/pcap';
const ZEEK = 'zeek__zeek/testing/btest/Traces';
const CTU = 'stratosphereips__StratosphereLinuxIPS/dataset';
const PPA = 'chrissanders__packets';

interface AlertRecord {
  src_ip: string;
  dest_ip: string;
  dest_port?: number;
  alert: { signature_id: number; metadata: Record<string, string[]> };
}

async function behaviourAlerts(file: string, homeNet: string): Promise<AlertRecord[]> {
  const home = HomeNet.parse(homeNet);
  const alerts: AlertRecord[] = [];
  await runCaptureFile(
    join(PCAPS, file),
    (r) => {
      if (r.event_type === 'alert') alerts.push(r as unknown as AlertRecord);
    },
    { detection: { stages: [createBehaviourStage(DEFAULT_BEHAVIOUR_CONFIG, home)], homeNet: home } },
  );
  for (const a of alerts) {
    expect(validateEveRecord(a)).toEqual({ ok: true });
    expect(a.alert.metadata.otasuke_engine).toEqual(['behaviour']);
    expect(a.alert.metadata.otasuke_direction?.length).toBe(1);
    expect(a.alert.metadata.otasuke_explain?.length).toBe(1);
  }
  return alerts;
}

/** [sid, explain, direction, src → dest] of each alert, in order. */
function summary(alerts: AlertRecord[]): string[] {
  return alerts.map((a) => `${a.alert.signature_id} ${a.alert.metadata.otasuke_explain![0]} ${a.alert.metadata.otasuke_direction![0]} ${a.src_ip}>${a.dest_ip}`);
}

interface Case {
  file: string;
  homeNet: string;
  why: string;
  expected: string[];
}

const CASES: Case[] = [
  // Port scans: HOME_NET is the scanned host's network, so the scanner is outside.
  {
    file: `${NDPI}/synscan.pcap`,
    homeNet: '64.13.134.0/24',
    why: 'nmap scanning scanme.nmap.org (64.13.134.52) from 172.16.0.8: the target is the business',
    expected: ['9100010 inbound_port_scan inbound 172.16.0.8>64.13.134.52'],
  },
  {
    file: `${PPA}/synscan.pcapng`,
    homeNet: '64.13.134.0/24',
    why: 'the same scan as pcapng',
    expected: ['9100010 inbound_port_scan inbound 172.16.0.8>64.13.134.52'],
  },
  {
    file: `${PPA}/ppa1e/portscan.pcap`,
    homeNet: '10.100.18.0/24',
    why: '10.100.25.14 scans 10.100.18.12: the scanned subnet is the business',
    expected: ['9100010 inbound_port_scan inbound 10.100.25.14>10.100.18.12'],
  },
  {
    file: `${PPA}/ppa1e/portscan.pcap`,
    homeNet: '10.100.25.0/24',
    why: 'the same scan seen from the scanner’s network: an inside host scanning (outbound variant)',
    expected: ['9100011 outbound_port_scan outbound 10.100.25.14>10.100.18.12'],
  },
  // Brute force: HOME_NET is the attacked server's network.
  {
    file: `${ZEEK}/ssh/sshguess.pcap`,
    homeNet: '192.168.56.103/32',
    why: '192.168.56.1 guesses passwords on the SSH server 192.168.56.103',
    expected: ['9100100 brute_force_ssh inbound 192.168.56.1>192.168.56.103'],
  },
  {
    file: `${CTU}/test19-malicious-ssh/malicious-ssh-bruteforce.pcap`,
    homeNet: '147.32.80.37/32',
    why: 'nmap ssh-brute from 147.32.80.40 against SSH on port 902 of 147.32.80.37',
    expected: ['9100100 brute_force_ssh inbound 147.32.80.40>147.32.80.37'],
  },
  {
    file: `${ZEEK}/ftp/bruteforce.pcap`,
    homeNet: '192.168.56.101/32',
    why: '192.168.56.1 tries 30 passwords on the FTP server 192.168.56.101 (every attempt also sends one in clear)',
    expected: ['9100300 cleartext_credentials inbound 192.168.56.1>192.168.56.101', '9100103 brute_force_ftp inbound 192.168.56.1>192.168.56.101'],
  },
  {
    file: `${PPA}/ppa1e/ftp-crack.pcap`,
    homeNet: '10.121.70.0/24',
    why: '10.234.125.254 cracks FTP on 10.121.70.151',
    expected: ['9100300 cleartext_credentials inbound 10.234.125.254>10.121.70.151', '9100103 brute_force_ftp inbound 10.234.125.254>10.121.70.151'],
  },
  // DNS tunnels: HOME_NET is the tunnelling client's network.
  {
    file: `${NDPI}/dns-tunnel-iodine.pcap`,
    homeNet: '10.0.2.0/24',
    why: 'iodine client 10.0.2.30 through its resolver 10.0.2.20, both inside',
    expected: ['9100400 dns_tunnel internal 10.0.2.30>10.0.2.20'],
  },
  {
    file: `${NDPI}/bad-dns-traffic.pcap`,
    homeNet: '192.168.43.0/24',
    why: 'dnscat client 192.168.43.91 asks 4.2.2.4 for *.skullseclabs.org',
    expected: ['9100400 dns_tunnel outbound 192.168.43.91>4.2.2.4'],
  },
  {
    file: `${NDPI}/dns_exfiltration.pcap`,
    homeNet: '192.168.220.0/24',
    why: 'dnscat2 without a domain from 192.168.220.56 to the server 192.168.203.167',
    expected: ['9100400 dns_tunnel outbound 192.168.220.56>192.168.203.167'],
  },
  {
    file: `${NDPI}/dns2tcp_tunnel.pcap`,
    homeNet: '192.168.20.0/24',
    why: 'despite its name one TLS 1.3 session to 1.1.1.1:443 (DNS over HTTPS): encrypted, nothing to judge',
    expected: [],
  },
  // TLS: HOME_NET is the client's network (weak crypto used by an inside host).
  {
    file: `${NDPI}/selfsigned.pcap`,
    homeNet: '127.0.0.0/8',
    why: 'client and server on localhost; the certificate (valid 2015-10-10 to 2016-10-09) is self-signed and was expired when captured',
    expected: ['9100202 tls_expired_certificate internal 127.0.0.1>127.0.0.1', '9100203 tls_self_signed_certificate internal 127.0.0.1>127.0.0.1'],
  },
  {
    file: `${ZEEK}/tls/tls-expired-cert.pcap`,
    homeNet: '192.168.4.0/24',
    why: 'client 192.168.4.149 negotiates TLS 1.0 with two servers, one of which has an expired certificate',
    expected: [
      '9100200 weak_tls_version outbound 192.168.4.149>87.98.220.10',
      '9100202 tls_expired_certificate outbound 192.168.4.149>87.98.220.10',
      '9100200 weak_tls_version outbound 192.168.4.149>122.1.240.204',
    ],
  },
  {
    file: `${ZEEK}/tls/ssl-v2.pcap`,
    homeNet: '192.168.4.0/24',
    why: 'client 192.168.4.149 and a server that answers in SSLv2',
    expected: ['9100200 weak_tls_version outbound 192.168.4.149>91.227.4.92'],
  },
  // Outbound behaviour: HOME_NET is the infected host's network.
  {
    file: `${CTU}/test7-malicious.pcap`,
    homeNet: '192.168.2.0/24',
    why: 'the IoT host 192.168.2.16 probes random addresses on telnet 23/2323 and 8080 (Mirai-style spreading)',
    expected: [
      '9100021 outbound_host_sweep outbound 192.168.2.16>59.81.67.193',
      '9100021 outbound_host_sweep outbound 192.168.2.16>132.186.191.254',
      '9100021 outbound_host_sweep outbound 192.168.2.16>117.236.147.71',
    ],
  },
  {
    file: `${CTU}/test-cc/test-cc-capture-1.pcap`,
    homeNet: '147.32.80.0/24',
    why: 'the lab host 147.32.80.37 (a public address at CTU) fetches https://testing.com every 2.2 s',
    expected: ['9100500 beaconing outbound 147.32.80.37>141.193.213.21'],
  },
  {
    file: `${CTU}/test-cc/test-cc-capture-2.pcap`,
    homeNet: '147.32.80.0/24',
    why: 'the same host beaconing every 2–3 s (interval CV 0.146 after 13 connections)',
    expected: ['9100500 beaconing outbound 147.32.80.37>141.193.213.20'],
  },
  {
    file: `${CTU}/test12-icmp-portscan.pcap`,
    homeNet: '192.168.1.0/24',
    why: 'a ping sweep reaching only 18 hosts: below minHosts (25)',
    expected: [],
  },
  {
    file: `${NDPI}/emotet.pcap`,
    homeNet: '10.0.0.0/8',
    why: 'the Emotet-infected host 10.4.25.101; its C2 at 138.197.147.101:443 presents a self-signed certificate',
    expected: ['9100203 tls_self_signed_certificate outbound 10.4.25.101>138.197.147.101'],
  },
  {
    file: `${NDPI}/tor.pcap`,
    homeNet: '192.168.1.0/24',
    why: 'an inside Tor client whose relays (captured years ago) negotiate TLS 1.0: one alert per relay',
    expected: [
      '9100200 weak_tls_version outbound 192.168.1.252>91.143.93.242',
      '9100200 weak_tls_version outbound 192.168.1.252>46.59.52.31',
      '9100200 weak_tls_version outbound 192.168.1.252>38.229.70.53',
      '9100200 weak_tls_version outbound 192.168.1.252>212.83.155.250',
      '9100200 weak_tls_version outbound 192.168.1.252>62.210.137.230',
    ],
  },
  // Ordinary traffic: nothing.
  { file: `${NDPI}/443-firefox.pcap`, homeNet: '192.168.1.0/24', why: 'one modern TLS session from a browser', expected: [] },
  { file: `${NDPI}/ssh.pcap`, homeNet: '172.16.238.0/24', why: 'one long interactive SSH session and one on localhost', expected: [] },
  { file: `${NDPI}/WebattackRCE.pcap`, homeNet: '127.0.0.0/8', why: 'a Nikto crawl (777 requests, mostly 404): no guessing of one login', expected: [] },
  { file: `${PPA}/tcp_ports.pcapng`, homeNet: '192.168.0.0/16', why: 'ordinary web browsing', expected: [] },
  { file: `${NDPI}/tcp_scan.pcapng`, homeNet: '192.168.0.0/16', why: 'a connect scan of 4 ports: below every threshold', expected: [] },
];

describe.skipIf(!present)('behaviour detectors on real captures', () => {
  for (const c of CASES) {
    it(`${c.file.split('/').pop()} (HOME_NET ${c.homeNet}: ${c.why})`, async () => {
      expect(summary(await behaviourAlerts(c.file, c.homeNet))).toEqual(c.expected);
    });
  }
});

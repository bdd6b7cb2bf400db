/**
 * `otasuke sensor read`: runs the sensor over a capture file, stdin or a live interface and writes
 * EVE JSON. This module only declares the command; the pipeline loads when the command runs, so
 * `otasuke --help` stays fast.
 */
import { Command, Option } from 'commander';

export interface ReadOptions {
  pcap?: string;
  interface?: string;
  bpf?: string;
  eve: string;
  communityId: boolean;
  communityIdSeed: string;
  types?: string;
  /** Detection: rule files or folders, IOC feeds (both repeatable), HOME_NET, clamd, configs. */
  rules?: string[];
  ioc?: string[];
  homeNet?: string;
  clamd?: string;
  thresholdConfig?: string;
  behaviourConfig?: string;
  fileScanLimit?: string;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function readCommand(): Command {
  return new Command('read')
    .description('read traffic from a capture (pcap or pcapng, by magic bytes) or an interface and write Suricata-compatible EVE JSON')
    .addOption(new Option('--pcap <file>', 'capture file, or - for stdin').conflicts('interface'))
    .addOption(new Option('--interface <if>', 'capture live from this interface (runs tcpdump -i IF -U -w -)').conflicts('pcap'))
    .option('--bpf <expr>', 'capture filter for --interface (tcpdump syntax)')
    .option('--eve <file>', 'EVE JSON output file, or - for stdout', './eve.json')
    .option('--community-id', 'add community_id to records', false)
    .option('--community-id-seed <n>', 'seed of the community id', '0')
    .option('--types <list>', 'event types to write, comma-separated (anomaly,dns,http,tls,ssh,smtp,ftp,fileinfo,flow,stats; default all)')
    .option('--rules <path>', 'Suricata rules: a .rules file or a folder of them (repeatable); turns detection on', collect)
    .option('--ioc <file>', 'threat-intel feed: plain list, URLhaus/ThreatFox/Feodo/SSLBL CSV, STIX 2.1, MISP (repeatable); turns detection on', collect)
    .option('--home-net <cidrs>', "the business's own networks, e.g. '[192.168.0.0/16,10.0.0.0/8]' (default: the private ranges); turns detection on")
    .option('--clamd <socket|host:port>', 'scan files with ClamAV clamd (INSTREAM), e.g. /run/clamav/clamd.ctl or 127.0.0.1:3310; turns detection on')
    .option('--threshold-config <file>', 'threshold.config: suppress / limit / threshold for rules')
    .option('--behaviour-config <file>', 'JSON thresholds of the behaviour detectors (scan, brute force, tunnelling, beaconing…); turns detection on')
    .option('--file-scan-limit <bytes>', 'files larger than this are hashed but not scanned (e.g. 10M; default 10M)')
    .addHelpText(
      'after',
      `
Exit codes: 0 done (a truncated capture is processed up to its last complete packet, with a
warning); 1 the capture is corrupt past recovery or the sensor failed; 2 bad flags, or the input is
not a pcap or pcapng file.

Examples:
  otasuke sensor read --pcap traffic.pcap
  tcpdump -i eth0 -U -w - | otasuke sensor read --pcap - --eve - --types dns,tls
  otasuke sensor read --interface eth0 --bpf 'not port 22' --eve /var/log/otasuke/eve.json
  otasuke sensor read --pcap traffic.pcap --rules /etc/otasuke/et-open --ioc urlhaus.csv \
    --home-net '[192.168.10.0/24]' --clamd /run/clamav/clamd.ctl`,
    )
    .action(async (options: ReadOptions) => {
      const { runRead } = await import('./runRead.ts');
      process.exitCode = await runRead(options, { stderr: process.stderr });
    });
}

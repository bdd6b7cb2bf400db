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
    .addHelpText(
      'after',
      `
Exit codes: 0 done (a truncated capture is processed up to its last complete packet, with a
warning); 1 the capture is corrupt past recovery or the sensor failed; 2 bad flags, or the input is
not a pcap or pcapng file.

Examples:
  otasuke sensor read --pcap traffic.pcap
  tcpdump -i eth0 -U -w - | otasuke sensor read --pcap - --eve - --types dns,tls
  otasuke sensor read --interface eth0 --bpf 'not port 22' --eve /var/log/otasuke/eve.json`,
    )
    .action(async (options: ReadOptions) => {
      const { runRead } = await import('./runRead.ts');
      process.exitCode = await runRead(options, { stderr: process.stderr });
    });
}

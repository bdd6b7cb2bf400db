/**
 * The real sensor for the suricata-verify harness: runs the pipeline over a case's capture with the
 * EVE output its suricata.yaml asks for, and returns the lines it would have written.
 */
import { HomeNet } from '../detect/homeNet.ts';
import { loadRules } from '../detect/rules/index.ts';
import { serializeEveRecord } from '../eve/eveWriter.ts';
import { runCaptureFile } from '../pipeline/runCapture.ts';
import type { FileHashes, SensorEventType, SensorPipelineOptions } from '../pipeline/sensorPipeline.ts';
import type { RunSensor, SensorRunInput, SensorRunResult } from './runner.ts';
import type { EveOutputConfig } from './testCase.ts';

/** eve-log `types` names → the event types they turn on. */
const TYPE_NAMES: Readonly<Record<string, readonly SensorEventType[]>> = {
  alert: ['alert'],
  anomaly: ['anomaly'],
  dns: ['dns'],
  http: ['http'],
  tls: ['tls'],
  ssh: ['ssh'],
  smtp: ['smtp'],
  ftp: ['ftp'],
  quic: ['quic'],
  files: ['fileinfo'],
  flow: ['flow'],
  netflow: ['netflow'],
  metadata: ['metadata'],
  stats: ['stats'],
};

function truthy(value: unknown): boolean {
  return value === true || value === 'yes' || value === 'both';
}

/** Pipeline options from a case's EVE output config (undefined: Suricata's default outputs). */
export function pipelineOptionsFor(eveOutput: EveOutputConfig | undefined): SensorPipelineOptions {
  const options: SensorPipelineOptions = {};
  if (eveOutput === undefined) return options;
  if (eveOutput.communityId) options.communityIdSeed = eveOutput.communityIdSeed ?? 0;
  if (eveOutput.types === undefined) return options;
  const types = new Set<SensorEventType>();
  for (const { name, options: typeOptions } of eveOutput.types) {
    for (const t of TYPE_NAMES[name] ?? []) types.add(t);
    if (name === 'http' && typeOptions['dump-all-headers'] !== undefined && typeOptions['dump-all-headers'] !== 'none') {
      options.httpHeaders = true;
    }
    if (name === 'files') {
      const hashes: FileHashes = {};
      const forced = Array.isArray(typeOptions['force-hash']) ? typeOptions['force-hash'].map(String) : [];
      if (truthy(typeOptions['force-md5']) || forced.includes('md5')) hashes.md5 = true;
      if (forced.includes('sha1')) hashes.sha1 = true;
      if (forced.includes('sha256')) hashes.sha256 = true;
      options.fileHashes = hashes;
    }
  }
  options.eveTypes = types;
  return options;
}

/** `--set vars.address-groups.HOME_NET=…` / `vars.port-groups.HTTP_PORTS=…` → rule variables. */
function ruleVarsFrom(settings: Readonly<Record<string, string>>): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [key, value] of Object.entries(settings)) {
    const m = /^vars\.(?:address|port)-groups\.(.+)$/.exec(key);
    if (m !== null) vars[m[1]!] = value;
  }
  return vars;
}

export const pipelineSensor: RunSensor = async (input: SensorRunInput): Promise<SensorRunResult> => {
  const eveLines: string[] = [];
  const options = pipelineOptionsFor(input.eveOutput);
  // `vlan.use-for-tracking: false`: a flow's two directions may carry different VLAN tags.
  if (input.options.settings['vlan.use-for-tracking'] === 'false') options.flow = { ...options.flow, vlanTracking: false };
  if (input.rules !== undefined) {
    const settings = input.options.settings;
    const thresholdFile = settings['threshold-file'];
    const vars = ruleVarsFrom(settings);
    const load = await loadRules({ files: [input.rules], vars, ...(thresholdFile === undefined ? {} : { thresholdConfigFile: thresholdFile }) });
    options.detection = { stages: [load.engine], homeNet: HomeNet.parse(vars.HOME_NET) };
  }
  await runCaptureFile(input.pcap, (record) => eveLines.push(serializeEveRecord(record)), options);
  return { eveLines };
};

/**
 * Behaviour detectors (issue #4 item 4): port scans and host sweeps, brute force against
 * SSH/RDP/SMB/FTP/HTTP, weak TLS, cleartext credentials, DNS tunnelling and beaconing, as one
 * DetectionStage. Thresholds in BehaviourConfig; sids in behaviourSids.ts (9 100 000 – 9 100 999).
 */
export { BEHAVIOUR_SIGNATURES } from './behaviourSids.ts';
export type { BehaviourSignature, BehaviourSignatureName } from './behaviourSids.ts';
export { BehaviourConfigError, DEFAULT_BEHAVIOUR_CONFIG, behaviourConfigSchema, parseBehaviourConfig } from './behaviourConfig.ts';
export type { BehaviourConfig } from './behaviourConfig.ts';
export { BehaviourStage, createBehaviourStage } from './behaviourStage.ts';

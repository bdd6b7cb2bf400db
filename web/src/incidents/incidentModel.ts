/**
 * What the console knows about incidents beyond the API types: the order of work (mirrors the
 * server's TRANSITIONS so only possible actions are offered; the server still decides), and the
 * colours of priorities and statuses (always shown with their text, never colour alone).
 */
import type { components } from '../api/schema.d.ts';

export type IncidentSummary = components['schemas']['IncidentSummary'];
/** A row of the queue: the summary and the subscriber's acknowledgement. */
export type IncidentQueueItem = components['schemas']['IncidentQueueItem'];
export type IncidentDetail = components['schemas']['IncidentDetail'];
export type IncidentStatus = components['schemas']['IncidentStatus'];
export type IncidentPriority = components['schemas']['IncidentPriority'];
export type IncidentResolution = components['schemas']['IncidentResolution'];
export type AlertDirection = components['schemas']['AlertDirection'];
export type AlertEngine = components['schemas']['AlertEngine'];
export type TransitionTarget = Exclude<IncidentStatus, 'new' | 'merged'>;

export const incidentStatuses: IncidentStatus[] = ['new', 'acknowledged', 'investigating', 'customer_notified', 'resolved', 'merged'];
export const openStatuses: IncidentStatus[] = ['new', 'acknowledged', 'investigating', 'customer_notified'];
export const priorities: IncidentPriority[] = ['P1', 'P2', 'P3', 'P4'];
export const directions: AlertDirection[] = ['inbound', 'outbound', 'internal', 'external'];
export const engines: AlertEngine[] = ['rule', 'ioc', 'behaviour', 'file'];
export const resolutions: IncidentResolution[] = ['true_positive', 'false_positive', 'benign'];
export const transitionTargets: TransitionTarget[] = ['acknowledged', 'investigating', 'customer_notified', 'resolved'];

/** Same table as server/src/incidents/incidentService.ts TRANSITIONS. */
export const nextStatuses: Record<IncidentStatus, readonly TransitionTarget[]> = {
  new: ['acknowledged', 'investigating', 'resolved'],
  acknowledged: ['investigating', 'customer_notified', 'resolved'],
  investigating: ['customer_notified', 'resolved'],
  customer_notified: ['investigating', 'resolved'],
  resolved: ['investigating'],
  merged: [],
};

export const priorityColor: Record<IncidentPriority, string> = { P1: 'red.9', P2: 'orange.9', P3: 'yellow.5', P4: 'gray.6' };
/** Dark text on the light badges (yellow, grey) keeps the contrast readable. */
export const priorityTextColor: Record<IncidentPriority, string> = { P1: 'white', P2: 'white', P3: 'black', P4: 'white' };
export const statusColor: Record<IncidentStatus, string> = { new: 'red', acknowledged: 'orange', investigating: 'blue', customer_notified: 'grape', resolved: 'green', merged: 'gray' };

/** A call that answers the updated incident (kept here: the catalog scanner reads `=> Promise<` in .tsx as text). */
export type DetailCall = () => Promise<IncidentDetail>;
/** One step of a bulk action on the incident with this id. */
export type IncidentAction = (id: string) => Promise<unknown>;

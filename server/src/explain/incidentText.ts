/**
 * The owner-facing message of an incident: a subject line and a body of four short paragraphs
 * (what happened / how serious / what we are doing / what to do now), in Japanese or English.
 * An analyst's edited text (customer_text_ja/en) replaces the body. Pure; the mail and escalation
 * code calls `renderIncidentText`.
 */
import type { Locale } from '@otasuke/shared';
import { templateFor, type OwnerTextTemplate } from './ownerTexts.ts';

export interface IncidentTextFacts {
  explain: string;
  insideHost: string | null;
  peer: string | null;
  alertCount: number;
  customerTextJa?: string | null;
  customerTextEn?: string | null;
}

export interface RenderedText {
  subject: string;
  body: string;
}

const fallbacks: Record<Locale, { host: string; peer: string }> = {
  ja: { host: '社内の機器', peer: 'インターネット上の相手' },
  en: { host: 'a device in your office', peer: 'a party on the internet' },
};

const headings: Record<Locale, Record<Exclude<keyof OwnerTextTemplate, 'title'>, string>> = {
  ja: { what: '■ 何が起きたか', severity: '■ どのくらい危ないか', doing: '■ お助け隊が行っていること', action: '■ 今すぐしていただきたいこと' },
  en: { what: '■ What happened', severity: '■ How serious it is', doing: '■ What we are doing', action: '■ What to do now' },
};

const PLACEHOLDER = /\{\{(\w+)\}\}/g;

/** Fills {{name}}; an unknown placeholder is an error in the catalog, never sent to a customer. */
export function fillPlaceholders(template: string, values: Record<string, string>): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`owner text uses {{${name}}}, which no incident provides`);
    return value;
  });
}

function valuesOf(incident: IncidentTextFacts, locale: Locale): Record<string, string> {
  return {
    host: incident.insideHost ?? fallbacks[locale].host,
    peer: incident.peer ?? fallbacks[locale].peer,
    count: incident.alertCount.toLocaleString(locale === 'ja' ? 'ja-JP' : 'en-US'),
  };
}

export function renderIncidentText(incident: IncidentTextFacts, locale: Locale): RenderedText {
  const template = templateFor(incident.explain, locale);
  const values = valuesOf(incident, locale);
  const subject = `${locale === 'ja' ? '【お助け隊】' : '[Otasuke] '}${fillPlaceholders(template.title, values)}`;
  const edited = locale === 'ja' ? incident.customerTextJa : incident.customerTextEn;
  if (edited) return { subject, body: edited };
  const parts = (['what', 'severity', 'doing', 'action'] as const).map((part) => `${headings[locale][part]}\n${fillPlaceholders(template[part], values)}`);
  return { subject, body: parts.join('\n\n') };
}

/** The title alone, for lists. */
export function incidentTitle(incident: IncidentTextFacts, locale: Locale): string {
  return fillPlaceholders(templateFor(incident.explain, locale).title, valuesOf(incident, locale));
}

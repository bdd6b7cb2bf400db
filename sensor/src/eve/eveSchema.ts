/**
 * Validates EVE records against Suricata's EVE JSON schema, the contract between the sensor's
 * output and the server's ingest. The schema file lives in ../shared/data and is never copied into
 * the repo, so it is loaded from a path (or handed over as an object) and compiled once.
 *
 * The schema declares no `$schema`, so it is draft-07 as Ajv's default class reads it (`$defs`
 * and `$ref: "#/$defs/…"` resolve there too). It is closed almost everywhere
 * (`additionalProperties: false`): an unknown field is rejected, exactly as the schema says.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';

/** ../shared/data/suricata/eve-schema-8.0.6.json, resolved from the repo root. */
export const DEFAULT_EVE_SCHEMA_PATH = fileURLToPath(
  new URL('../../../../shared/data/suricata/eve-schema-8.0.6.json', import.meta.url),
);

/** A parsed JSON schema document (kept loose: it is data read from a file). */
export type EveJsonSchema = Record<string, unknown>;

export type EveValidation = { ok: true } | { ok: false; errors: string[] };

export interface EveValidator {
  readonly schema: EveJsonSchema;
  validate(record: unknown): EveValidation;
}

export function loadEveSchema(path: string = DEFAULT_EVE_SCHEMA_PATH): EveJsonSchema {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!isPlainObject(parsed)) throw new Error(`${path}: an EVE schema must be a JSON object`);
  return parsed;
}

/** Compiles the schema once; `schemaOrPath` is the parsed schema or the path of its file. */
export function createEveValidator(schemaOrPath: EveJsonSchema | string = DEFAULT_EVE_SCHEMA_PATH): EveValidator {
  const schema = typeof schemaOrPath === 'string' ? loadEveSchema(schemaOrPath) : schemaOrPath;
  // strict: false because the schema carries Suricata's own annotations (`suricata`, `optional`)
  // and one misspelt `desription`; they are not validation keywords and must not abort compiling.
  // verbose: errors carry the offending value, so a message can say what was found.
  const ajv = new Ajv({ strict: false, allErrors: true, verbose: true });
  const compiled: ValidateFunction = ajv.compile(schema);
  return {
    schema,
    validate(record: unknown): EveValidation {
      if (compiled(record)) return { ok: true };
      return { ok: false, errors: describeErrors(compiled.errors ?? []) };
    },
  };
}

let defaultValidator: EveValidator | undefined;

/** Validates against the default schema file, compiled on first use. */
export function validateEveRecord(record: unknown): EveValidation {
  defaultValidator ??= createEveValidator();
  return defaultValidator.validate(record);
}

/** `/dns/answers/0/rrname` → `dns.answers[0].rrname`, the path syntax of suricata-verify checks. */
export function instancePathToField(instancePath: string): string {
  if (instancePath === '') return '(record)';
  let field = '';
  for (const rawSegment of instancePath.slice(1).split('/')) {
    const segment = rawSegment.replaceAll('~1', '/').replaceAll('~0', '~');
    if (/^\d+$/.test(segment)) field += `[${segment}]`;
    else field += field === '' ? segment : `.${segment}`;
  }
  return field;
}

function describeErrors(errors: ErrorObject[]): string[] {
  const lines = errors.map(describeError);
  return [...new Set(lines)];
}

function describeError(error: ErrorObject): string {
  const field = instancePathToField(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return `${field}: unknown field "${String(params.additionalProperty)}" (the schema allows no other fields here)`;
    case 'required':
      return `${field}: missing required field "${String(params.missingProperty)}"`;
    case 'type':
      return `${field}: must be ${String(params.type)}, found ${describeValue(error.data)}`;
    case 'minItems':
      return `${field}: must have at least ${String(params.limit)} item(s), found ${describeValue(error.data)}`;
    case 'pattern':
      return `${field}: ${describeValue(error.data)} does not match ${String(params.pattern)}`;
    case 'enum':
      return `${field}: must be one of ${JSON.stringify(params.allowedValues)}, found ${describeValue(error.data)}`;
    default:
      return `${field}: ${error.message ?? error.keyword}`;
  }
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : `an array of ${value.length}`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return `${typeof value} ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}

/**
 * Every counter the schema allows under `stats`, as dotted paths (`decoder.pkts`,
 * `app_layer.flow.dns_udp`, `app_layer.error.http.parser`), for the stats builder to keep only
 * those. `$ref`s into `$defs` are followed; arrays (`detect.engines`) are listed as their path.
 */
export function statsCounterPaths(schema: EveJsonSchema): Set<string> {
  const paths = new Set<string>();
  const properties = schema.properties;
  if (!isPlainObject(properties) || !isPlainObject(properties.stats)) return paths;
  collectLeaves(schema, properties.stats, '', paths, 0);
  return paths;
}

function collectLeaves(root: EveJsonSchema, node: Record<string, unknown>, prefix: string, out: Set<string>, depth: number): void {
  if (depth > 32) return; // a cyclic $ref would never end; the schema has none, but data can lie
  const resolved = resolveRef(root, node);
  const children = resolved.properties;
  if (isPlainObject(children) && Object.keys(children).length > 0) {
    for (const [name, child] of Object.entries(children)) {
      if (isPlainObject(child)) collectLeaves(root, child, prefix === '' ? name : `${prefix}.${name}`, out, depth + 1);
    }
    return;
  }
  if (prefix !== '') out.add(prefix);
}

function resolveRef(root: EveJsonSchema, node: Record<string, unknown>): Record<string, unknown> {
  const ref = node.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return node;
  let target: unknown = root;
  for (const part of ref.slice(2).split('/')) {
    if (!isPlainObject(target)) return node;
    target = target[part.replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  return isPlainObject(target) ? target : node;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * suricata-verify is Python: a check passes or fails by Python's `==`, `str()`, `len()` and `in`
 * on values from `json.loads` (events) and PyYAML (expectations). These helpers reproduce those
 * semantics on JSON-shaped JS values, so a case passes here exactly when it passes there.
 * `undefined` and `null` both stand for Python's None (a missing key and a JSON null look alike
 * to `find_value`).
 */

export function isNone(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}

/** Python `a == b`: True == 1, 1 == 1.0, lists and dicts compare deeply, str never equals a number. */
export function pythonEquals(a: unknown, b: unknown): boolean {
  if (isNone(a) || isNone(b)) return isNone(a) && isNone(b);
  const na = asPythonNumber(a);
  const nb = asPythonNumber(b);
  if (na !== undefined || nb !== undefined) return na !== undefined && nb !== undefined && na === nb;
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => pythonEquals(item, b[i]));
  }
  if (isDict(a) && isDict(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.hasOwn(b, key) && pythonEquals(a[key], b[key]));
  }
  // Anything else (a YAML timestamp parsed to a Date, say) equals nothing from JSON.
  return false;
}

/** bool and numbers are one numeric tower in Python (True == 1); bigint from YAML too. */
function asPythonNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') return Number(value);
  return undefined;
}

export function isDict(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Python `str(value)`, as `__find`, `__startswith` and `__endswith` compare against it. */
export function pythonStr(value: unknown): string {
  if (typeof value === 'string') return value;
  return pythonRepr(value);
}

/** Python `repr(value)` for JSON-shaped values (what `str()` of a list or dict prints). */
export function pythonRepr(value: unknown): string {
  if (isNone(value)) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return pythonNumber(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return pythonStringRepr(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (value instanceof Date) return value.toISOString();
  if (isDict(value)) {
    return `{${Object.entries(value)
      .map(([key, item]) => `${pythonStringRepr(key)}: ${pythonRepr(item)}`)
      .join(', ')}}`;
  }
  return String(value);
}

function pythonNumber(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  // JSON.parse cannot tell 1.0 from 1; an integral value prints as Python prints an int.
  if (Number.isInteger(value)) return BigInt(value).toString();
  return String(value);
}

function pythonStringRepr(text: string): string {
  // Python picks single quotes unless the text holds a single quote and no double quote.
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f) out += `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

/** Python `len(value)`, or -1 where Python raises (numbers, bools, None), as `__len` does. */
export function pythonLen(value: unknown): number {
  if (typeof value === 'string') return [...value].length; // code points, not UTF-16 units
  if (Array.isArray(value)) return value.length;
  if (isDict(value)) return Object.keys(value).length;
  return -1;
}

/** Python `expected in value`; False where Python raises TypeError. */
export function pythonContains(value: unknown, expected: unknown): boolean {
  if (isNone(value)) return false;
  if (typeof value === 'string') return typeof expected === 'string' && value.includes(expected);
  if (Array.isArray(value)) return value.some((item) => pythonEquals(item, expected));
  if (isDict(value)) return typeof expected === 'string' && Object.hasOwn(value, expected);
  return false;
}

/** Python's ordering of two numbers for `__gt`/`__lt`…; bools and non-numbers never compare. */
export function isPythonNumber(value: unknown): value is number {
  return typeof value === 'number' || typeof value === 'bigint';
}

/** The vendor form's areas box: one area a line, "大阪府 大阪市北区" or "大阪府" for the whole prefecture. */
export interface Area {
  prefecture: string;
  city: string | null;
}

export function parseAreas(text: string): Area[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim().split(/[\s\u3000、,]+/).filter(Boolean))
    .filter((parts) => parts.length > 0)
    .map(([prefecture, ...rest]) => ({ prefecture: prefecture!, city: rest.length > 0 ? rest.join(' ') : null }));
}

export function formatAreas(areas: readonly Area[]): string {
  return areas.map((a) => (a.city ? `${a.prefecture} ${a.city}` : a.prefecture)).join('\n');
}

/** A 0–1 rate as a percentage with one decimal ("4.0%"). */
export function formatRate(rate: number): string {
  return `${(Math.round(rate * 1000) / 10).toFixed(1)}%`;
}

/**
 * Why a rule was not loaded. The loader catches it per rule and counts the `reason` (a short,
 * stable key such as `unsupported keyword xbits`), printing `detail` for the file:line listing.
 */
export class RuleSkip extends Error {
  constructor(
    readonly reason: string,
    readonly detail: string = reason,
  ) {
    super(detail);
    this.name = 'RuleSkip';
  }
}

/** `maxRejected` and `onError` of a profile, decided on row counts. */
export interface RejectPolicy {
  /** true when the file must be rejected as a whole */
  exceeded(rejected: number, total: number): boolean;
  /** the limit in words, completing "the limit is …": "5% of the rows (maxRejected)" */
  readonly description: string;
}

const PERCENT_RE = /^(\d+)(?:\.(\d+))?%$/;

/**
 * Builds the policy: `reject-file` rejects on the first bad row; otherwise `maxRejected` (a count or
 * a percentage of the rows) is the most that may be rejected, and no limit when it is not set.
 * Percentages are compared in integers: 7 of 100 rows is exactly 7%, not 7.000000000000001%.
 */
export function createRejectPolicy(onError: 'reject-row' | 'reject-file' | undefined, maxRejected: number | string | undefined): RejectPolicy {
  if (onError === 'reject-file') return { exceeded: (rejected) => rejected > 0, description: 'no rejected rows at all (onError: reject-file)' };
  if (maxRejected === undefined) return { exceeded: () => false, description: 'no limit' };
  if (typeof maxRejected === 'number') {
    return { exceeded: (rejected) => rejected > maxRejected, description: `${maxRejected} rejected row${maxRejected === 1 ? '' : 's'} (maxRejected)` };
  }
  const m = PERCENT_RE.exec(maxRejected.trim());
  if (m === null) throw new RangeError(`maxRejected "${maxRejected}" is neither a row count nor a percentage such as 5%`);
  const whole = m[1] ?? '0';
  const fraction = m[2] ?? '';
  // "2.5%" is 25 / 1000 of the rows: rejected / total > 25 / 1000 without a binary fraction
  const units = Number(whole + fraction);
  const per = 100 * 10 ** fraction.length;
  return {
    exceeded: (rejected, total) => total > 0 && rejected * per > units * total,
    description: `${Number(whole)}${fraction === '' ? '' : `.${fraction}`}% of the rows (maxRejected)`,
  };
}

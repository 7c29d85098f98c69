/** `maxRejected` and `onError` of a profile, decided on row counts. */
export interface RejectPolicy {
  /** true when the file must be rejected as a whole */
  exceeded(rejected: number, total: number): boolean;
  /** the limit in words, for messages: "5% of the rows (maxRejected)" */
  readonly description: string;
}

/**
 * Builds the policy: `reject-file` rejects on the first bad row; otherwise `maxRejected` (a count or
 * a percentage of the rows) is the limit, and no limit when it is not set.
 */
export function createRejectPolicy(onError: 'reject-row' | 'reject-file' | undefined, maxRejected: number | string | undefined): RejectPolicy {
  if (onError === 'reject-file') return { exceeded: (rejected) => rejected > 0, description: 'no rejected row at all (onError: reject-file)' };
  if (maxRejected === undefined) return { exceeded: () => false, description: 'no limit' };
  if (typeof maxRejected === 'number') {
    return { exceeded: (rejected) => rejected > maxRejected, description: `${maxRejected} rejected rows (maxRejected)` };
  }
  const percent = Number(maxRejected.trim().replace('%', ''));
  return {
    exceeded: (rejected, total) => total > 0 && (rejected / total) * 100 > percent,
    description: `${percent}% of the rows (maxRejected)`,
  };
}

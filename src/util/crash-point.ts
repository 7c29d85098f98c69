/**
 * Deterministic crash tests: with `FERRY_CRASHPOINT=<name>` (or `<name>:<n>` for the n-th time the
 * point is reached) the process kills itself with SIGKILL at that point, as a power cut or the OOM
 * killer would. Timing-based kills are flaky on small machines; named points are not.
 */
const wanted = process.env.FERRY_CRASHPOINT;
const counts = new Map<string, number>();

export function crashPoint(name: string): void {
  if (wanted === undefined || wanted === '') return;
  const [point, nth] = wanted.split(':');
  if (point !== name) return;
  const count = (counts.get(name) ?? 0) + 1;
  counts.set(name, count);
  if (nth === undefined || Number(nth) === count) process.kill(process.pid, 'SIGKILL');
}

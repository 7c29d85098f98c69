// `npm run audit`: the dependency gate of the shipped tree (docs/security.md). First asks the
// registry (`npm audit --omit=dev --audit-level=high`); when the registry refuses or cannot be
// reached, says so and relies on the offline advisory table. The offline gate
// (dist/scripts/audit-deps.js: advisory table, minimum versions, banned packages) always runs,
// because an override can pin an old version that the registry's advisories do not name.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const registry = spawnSync(npm, ['audit', '--omit=dev', '--audit-level=high', '--json'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
let online = 'unreachable';
let report;
try {
  report = JSON.parse(registry.stdout);
} catch {
  report = undefined;
}
const counts = report?.metadata?.vulnerabilities;
if (counts !== undefined) {
  const serious = (counts.high ?? 0) + (counts.critical ?? 0);
  online = serious === 0 ? 'clean' : 'hits';
  console.log(`npm audit: ${JSON.stringify(counts)}`);
  if (serious > 0) spawnSync(npm, ['audit', '--omit=dev', '--audit-level=high'], { cwd: root, stdio: 'inherit' });
} else {
  const why = report?.message ?? report?.error?.summary ?? (registry.error?.message || registry.stderr.trim().split('\n').pop() || `exit ${registry.status}`);
  console.log(`npm audit: the registry did not answer with advisories (${why}); falling back to the offline advisory table scripts/advisories.json only`);
}
const offline = spawnSync(process.execPath, [join(root, 'dist', 'scripts', 'audit-deps.js'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
const code = online === 'hits' || offline.status !== 0 ? 1 : 0;
console.log(`audit: ${code === 0 ? 'passed' : 'FAILED'} (registry: ${online}; offline table: ${offline.status === 0 ? 'clean' : 'hits'})`);
process.exit(code);

#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';

// Before anything is loaded: V8's allocation-site pretenuring moves the objects of a site whose
// objects survive a scavenge straight to the old generation. A batch's rows and records live just
// long enough to look like that and die soon after, so pretenuring them made more full collections
// than it saved (README, Performance: the delivery run's scavenge and mark-compact time).
setFlagsFromString('--no-allocation-site-pretenuring');

const { main } = await import('../dist/src/cli/main.js');

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err); process.exitCode = 1; },
);

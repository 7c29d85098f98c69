/**
 * The three profiles of the soak test: the same order mapping read from an SFTP server, an FTP
 * server and a local folder, each delivering to its own path of the test target with a bearer
 * token and notifying its own endpoint. Secrets are `${VAR}` references the daemon resolves.
 */

import { ORDERS_MAPPING } from '../support/workspace.js';

/** Where a profile reads and writes; the YAML fragments differ per source kind. */
export interface SoakProfileParts {
  readonly source: string;
  readonly trigger: string;
  readonly results: string;
}

const MAPPING = `${ORDERS_MAPPING}maxRejected: 100%
`;

/** A whole soak profile. */
export function soakProfile(id: string, parts: SoakProfileParts, targetUrl: string, notifyUrl: string): string {
  return `version: 1
${parts.source}
${parts.trigger}
${MAPPING}target:
  type: http
  url: ${targetUrl}/v1/${id}
  auth: { type: bearer, token: "\${SOAK_TARGET_TOKEN}" }
  batchSize: 25
  concurrency: 2
  body: "{ items: $records }"
  retry: { attempts: 15, maxDelay: 500ms, baseDelay: 30ms }
  timeout: 2s
${parts.results}
notify:
  - { url: "${notifyUrl}", secret: "\${SOAK_NOTIFY_SECRET}", allowPrivate: true, timeout: 2s }
`;
}

/** Parts for a local folder. */
export function localParts(inbox: string, results: string): SoakProfileParts {
  return {
    source: `source:\n  type: local\n  dir: ${inbox}\n  include: ["*.csv"]\n  stable: { minAge: 0s }`,
    trigger: 'trigger: { watch: true, every: 1s }',
    results: `results:\n  to: { dir: ${results} }\n  name: "{stem}.result.csv"`,
  };
}

/** Parts for a remote source (`connection` is an inline YAML map); results go to `resultsDir` on the server when `remoteResults`. */
export function remoteParts(type: 'sftp' | 'ftp', connection: string, resultsDir: string, remoteResults: boolean): SoakProfileParts {
  return {
    source: `source:\n  type: ${type}\n  connection: ${connection}\n  dir: /in\n  include: ["*.csv"]\n  stable: { minAge: 0s, checks: 1 }`,
    trigger: 'trigger: { every: 1s }',
    results: remoteResults
      ? `results:\n  to: { connection: ${connection}, dir: ${resultsDir} }\n  name: "{stem}.result.csv"\n  doneFile: true`
      : `results:\n  to: { dir: ${resultsDir} }\n  name: "{stem}.result.csv"`,
  };
}

import type { Readable } from 'node:stream';

import type { RunAnswer } from '../daemon/types.js';
import type { ParamSpec } from '../profiles/param-schema.js';
import type { RunParams } from '../profiles/run-params.js';
import type { MetricsRegistry } from '../metrics/metrics-registry.js';
import type { RemoteRegistry } from '../remote/remote-registry.js';
import type { StateStore } from '../store/types.js';
import type { WebhookCredentials } from './webhook-auth.js';

/** What `/hooks/<profile>` needs of a running profile. */
export interface HookTarget {
  readonly webhook: WebhookCredentials | undefined;
  readonly params: Readonly<Record<string, ParamSpec>> | undefined;
  /** whether a run may be asked for one file of the source folder (folder profiles, not exports) */
  readonly takesFile?: boolean;
  requestRun(trigger: string, params?: RunParams, file?: string): RunAnswer | undefined;
}

/** What `/upload/<profile>` needs of a running `source.type: http` profile. */
export interface UploadTarget {
  readonly token: string | undefined;
  readonly maxBytes: number;
  receive(name: string, body: Readable): Promise<{ runId: string; batchId: string; fileName: string; size: number }>;
}

/** What `POST /api/batches/<id>/reprocess` answers. */
export type ReprocessAnswer =
  | { readonly ok: true; readonly runId: string; readonly batchId: string; readonly reprocessOf: string }
  | { readonly ok: false; readonly status: 404 | 409 | 410 | 422; readonly error: string; readonly problems?: readonly string[] };

/** Everything the admin server serves from: the daemon's state, its folders and its running profiles. */
export interface AdminContext {
  readonly store: StateStore;
  readonly remotes: RemoteRegistry;
  readonly startedAt: number;
  /** the profiles folder: the source of truth the profile routes read and write */
  readonly profilesDir: string;
  /** the data folder: archive, result copies, samples */
  readonly dataDir: string;
  /** profiles whose file is invalid (their last valid version, if any, keeps running) */
  readonly invalidProfiles?: () => ReadonlyMap<string, readonly string[]>;
  /** the running profile a webhook call or an API run is for */
  readonly hookTarget?: (profile: string) => HookTarget | undefined;
  /** the profile an upload is for */
  readonly uploadTarget?: (profile: string) => UploadTarget | undefined;
  /** runs going on and waiting, for /metrics */
  readonly runs?: () => { inUse: number; queued: number };
  /** the daemon's metrics for /metrics (without it, only the ledger's families) */
  readonly metrics?: MetricsRegistry;
  /** sends a settled batch again, in the background */
  readonly reprocess?: (batchId: string, options: { originalVersion: boolean }) => Promise<ReprocessAnswer>;
}

import type { Readable } from 'node:stream';

import type { RunAnswer } from '../daemon/types.js';
import type { ParamSpec } from '../profiles/param-schema.js';
import type { RunParams } from '../profiles/run-params.js';
import type { WebhookCredentials } from './webhook-auth.js';

/** What `/hooks/<profile>` needs of a running profile. */
export interface HookTarget {
  readonly webhook: WebhookCredentials | undefined;
  readonly params: Readonly<Record<string, ParamSpec>> | undefined;
  requestRun(trigger: string, params?: RunParams): RunAnswer | undefined;
}

/** What `/upload/<profile>` needs of a running `source.type: http` profile. */
export interface UploadTarget {
  readonly token: string | undefined;
  readonly maxBytes: number;
  receive(name: string, body: Readable): Promise<{ runId: string; batchId: string; fileName: string; size: number }>;
}

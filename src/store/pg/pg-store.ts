import { InputError } from '../../errors.js';
import type { StateStore } from '../types.js';

/** The PostgreSQL state store (being written). */
export const PgStore = {
  async open(url: string, _options: { exclusive: boolean; readonly?: boolean; leaseMs: number }): Promise<StateStore> {
    throw new InputError('E_USAGE', `PostgreSQL stores are not available yet (${url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')})`);
  },
};

import * as z from 'zod';

import { duration, obj, timeZoneName } from './schema-helpers.js';

/** Days of the week as `expect.days` names them. */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/**
 * `expect`: when a partner's file must have arrived. No file by `by` on one of `days` raises
 * `file.missing`; `warnBefore` warns that long before; an empty file or a row count more than
 * `rowsTolerance` away from the median of the last ten files raises an alert too.
 */
export const expectSpec = obj({
  by: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'must be a time of day such as 05:00' }),
  days: z.array(z.enum(WEEKDAYS, { error: `must be one of ${WEEKDAYS.join(', ')}` })).min(1).optional(),
  /** default: trigger.timezone, else the machine's zone */
  timezone: timeZoneName.optional(),
  warnBefore: duration.optional(),
  /** how far a file's row count may be from the usual before it is reported (default 50%) */
  rowsTolerance: z.string().regex(/^\d+(\.\d+)?%$/, { message: 'must be a percentage such as 50%' }).optional(),
});
export type ExpectSpec = z.infer<typeof expectSpec>;

import * as z from 'zod';

import { obj } from './schema-helpers.js';

/** How a group computes a scalar field from its rows instead of taking the first row's value. */
export const AGGREGATES = ['first', 'last', 'sum', 'count', 'min', 'max'] as const;
export type Aggregate = (typeof AGGREGATES)[number];

const names = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).transform((v) => (typeof v === 'string' ? [v] : v));

/**
 * `group`: rows with the same `by` fields become one record. `collect` moves fields into nested
 * arrays (one object per row), `aggregate` computes scalar fields over the group's rows.
 * Unsorted input is grouped in memory up to `maxRows` rows; larger files must be sorted by the key
 * and say so with `sorted: true`, which groups them as a stream.
 */
export const groupSpec = obj({
  by: names,
  collect: z.record(z.string().min(1), z.array(z.string().min(1)).min(1)).optional(),
  aggregate: z.record(z.string().min(1), z.enum(AGGREGATES, { error: `must be one of ${AGGREGATES.join(', ')}` })).optional(),
  sorted: z.boolean().optional(),
  maxRows: z.number().int().min(1).max(50_000_000).optional(),
});
export type GroupSpec = z.infer<typeof groupSpec>;

/**
 * `split`: one source row becomes one record per listed column (an unpivot). The mapping reads two
 * extra columns: `nameAs` holds the name listed for the column, `valueAs` its cell.
 */
export const splitSpec = obj({
  columns: z.record(z.string().min(1), z.union([z.string(), z.number(), z.boolean()]))
    .refine((c) => Object.keys(c).length > 0, { message: 'must list at least one column' }),
  nameAs: z.string().min(1),
  valueAs: z.string().min(1),
  /** an empty cell gives no record (default true) */
  skipEmpty: z.boolean().optional(),
});
export type SplitSpec = z.infer<typeof splitSpec>;

import * as z from 'zod';

import { obj, scalar } from './schema-helpers.js';

/** The types a run parameter may have. */
export const PARAM_TYPES = ['string', 'integer', 'decimal', 'boolean', 'date'] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

/**
 * One declared run parameter (`params.<name>`): what `ferry run --param name=value` and the API's
 * `params` may pass, and what expressions read as `param.name`.
 */
export const paramSpec = obj({
  type: z.enum(PARAM_TYPES, { error: `must be one of ${PARAM_TYPES.join(', ')}` }).optional(),
  required: z.boolean().optional(),
  /** used when the run does not pass the parameter; dates also take `today`, `today-7`, `today+1` */
  default: scalar.optional(),
  description: z.string().optional(),
});
export type ParamSpec = z.infer<typeof paramSpec>;

/** `params`: declared run parameters by name (letters, digits, `_`, starting with a letter). */
export const paramsSpec = z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, { message: 'a parameter name is letters, digits and _, starting with a letter' }), paramSpec);

import * as z from 'zod';

import { obj, regexText, scalar, singleChar, timeZoneName } from './schema-helpers.js';

/** The value types a field can convert to. */
export const FIELD_TYPES = ['string', 'integer', 'decimal', 'boolean', 'date', 'datetime'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

const bound = z.union([z.number(), z.string()]);

/** One target field: where its value comes from, its type and its rules. */
export const fieldSpec = obj({
  from: z.string().min(1).optional(),
  value: scalar.optional(),
  expr: z.string().min(1).optional(),
  type: z.enum(FIELD_TYPES).optional(),
  trim: z.boolean().optional(),
  required: z.boolean().optional(),
  default: scalar.optional(),
  pattern: regexText.optional(),
  min: bound.optional(),
  max: bound.optional(),
  minLength: z.number().int().min(0).optional(),
  maxLength: z.number().int().min(0).optional(),
  map: z.record(z.string(), scalar).optional(),
  lookup: z.string().min(1).optional(),
  decimalSeparator: singleChar.optional(),
  thousandsSeparator: z.string().max(1).optional(),
  scale: z.number().int().min(0).max(20).optional(),
  format: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  timezone: timeZoneName.optional(),
  trueValues: z.array(z.string()).optional(),
  falseValues: z.array(z.string()).optional(),
  /** a label used in messages instead of the source column name */
  label: z.string().optional(),
  /** an expression: the field is mapped only when it is true, and left out otherwise */
  when: z.string().min(1).optional(),
}).superRefine((f, ctx) => {
  const sources = [f.from !== undefined, f.value !== undefined, f.expr !== undefined].filter(Boolean).length;
  if (sources === 0) {
    ctx.addIssue({ code: 'custom', message: 'needs one of from (a source column), value (a constant) or expr (an expression)' });
  } else if (sources > 1) {
    ctx.addIssue({ code: 'custom', message: 'takes only one of from, value and expr' });
  }
  const type = f.type ?? 'string';
  if ((f.decimalSeparator !== undefined || f.scale !== undefined) && type !== 'decimal' && type !== 'integer') {
    ctx.addIssue({ code: 'custom', path: [f.scale !== undefined ? 'scale' : 'decimalSeparator'], message: `applies to decimal fields, but this field is ${type}` });
  }
  if (f.format !== undefined && type !== 'date' && type !== 'datetime') {
    ctx.addIssue({ code: 'custom', path: ['format'], message: `is a date pattern and applies to date and datetime fields, but this field is ${type}` });
  }
  if (f.decimalSeparator !== undefined && f.decimalSeparator === f.thousandsSeparator) {
    ctx.addIssue({ code: 'custom', path: ['thousandsSeparator'], message: 'must differ from decimalSeparator' });
  }
  if (f.map !== undefined && f.lookup !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['lookup'], message: 'a field takes either map or lookup, not both' });
  }
});

export type FieldSpec = z.infer<typeof fieldSpec>;

/** A lookup read from a CSV file next to the profile. */
export const fileLookupSpec = obj({
  file: z.string().min(1),
  key: z.string().min(1).optional(),
  value: z.string().min(1).optional(),
  delimiter: singleChar.optional(),
  encoding: z.string().optional(),
});

/**
 * A lookup table: inline (`{ WH1: OSL-1 }`) or read from a CSV file (`{ file: warehouses.csv, key: Code,
 * value: Name }`). An object whose `file` value names a `.csv` file is a file lookup.
 */
export const lookupSpec = z.union([fileLookupSpec, z.record(z.string(), scalar)], {
  error: 'must be a table of key: value pairs, or { file: <name>.csv, key: <column>, value: <column> }',
});

export type LookupSpec = z.infer<typeof lookupSpec>;
export type FileLookupSpec = z.infer<typeof fileLookupSpec>;

import * as z from 'zod';

import { isLocalName, isPrivateAddress } from '../notify/address-guard.js';
import { fieldSpec, lookupSpec } from './field-schema.js';
import { paramsSpec } from './param-schema.js';
import { authSpec, notifySpec, triggerSpec } from './schema.js';
import { duration, obj, rate, singleChar } from './schema-helpers.js';
import { connection } from './connection-schema.js';

/** How the next page of an API is found. */
const nextSpec = z.union([
  obj({ link: z.literal(true) }),
  obj({ cursor: z.string().min(1), param: z.string().min(1) }),
  obj({ page: z.string().min(1), start: z.number().int().min(0).optional() }),
  obj({ offset: z.string().min(1), size: z.number().int().min(1) }),
], { error: 'must be { link: true }, { cursor: <path>, param: <name> }, { page: <param> } or { offset: <param>, size: <n> }' });

/** `source` of an export: the HTTP API the records come from. */
const exportSource = obj({
  type: z.literal('http'),
  /** may hold {since} and {param.name}, URL-encoded when filled in */
  url: z.string().min(1),
  auth: authSpec.optional(),
  headers: z.record(z.string(), z.string()).optional(),
  /** the path of the records array in each page (absent: the page is the array) */
  items: z.string().optional(),
  next: nextSpec.optional(),
  maxPages: z.number().int().min(1).max(1_000_000).optional(),
  timeout: duration.optional(),
  /** requests per time, as for targets: 20/s, 600/m */
  rate: rate.optional(),
  /** as for targets: attempts (default 8), baseDelay (500ms), maxDelay (5m) */
  retry: obj({ attempts: z.number().int().min(1).max(100).optional(), maxDelay: duration.optional(), baseDelay: duration.optional() }).optional(),
  /** the API may be on loopback or a private network (refused by default, as for notifications) */
  allowPrivate: z.boolean().optional(),
}).superRefine((src, ctx) => {
  let host: string;
  try {
    host = new URL(src.url.replace(/\{[^}]*\}/g, 'x')).hostname;
  } catch {
    ctx.addIssue({ code: 'custom', path: ['url'], message: 'is not a URL (placeholders such as {since} are allowed)' });
    return;
  }
  if (src.allowPrivate !== true && (isLocalName(host) || isPrivateAddress(host))) {
    ctx.addIssue({ code: 'custom', path: ['url'], message: `${host} is a loopback, private or link-local address; exports read from there only with allowPrivate: true` });
  }
});

/** `target` of an export: where the file goes. */
const exportTarget = obj({
  connection: z.union([z.string().min(1), connection]).optional(),
  dir: z.string().min(1),
  /** a name template: {date:yyyyMMdd}, {time:HHmmss}, {profile}, {param.name} */
  name: z.string().min(1),
  doneFile: z.boolean().optional(),
});

/** `kind: export`: records from an HTTP API written as a file for the customer. */
export const exportProfileSchema = obj({
  version: z.literal(1, { error: 'must be 1 (the profile format version)' }),
  kind: z.literal('export'),
  description: z.string().optional(),
  source: exportSource,
  fields: z.record(z.string().min(1), fieldSpec).refine((f) => Object.keys(f).length > 0, { message: 'must map at least one field' }),
  lookups: z.record(z.string().min(1), lookupSpec).optional(),
  params: paramsSpec.optional(),
  format: obj({
    type: z.enum(['csv', 'xlsx', 'xml', 'json']).optional(),
    delimiter: singleChar.optional(),
    /** csv: `,` writes decimal commas */
    decimalSeparator: z.enum(['.', ',']).optional(),
    encoding: z.string().optional(),
    sheetName: z.string().optional(),
    rootElement: z.string().optional(),
    recordElement: z.string().optional(),
  }).optional(),
  target: exportTarget,
  /** no records: write the file with its header only (default), or no file */
  empty: z.enum(['header', 'skip']).optional(),
  trigger: triggerSpec.optional(),
  notify: notifySpec.optional(),
});
export type ExportProfile = z.infer<typeof exportProfileSchema>;

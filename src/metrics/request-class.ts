import { FerryError } from '../errors.js';
import type { RequestClass } from './types.js';

/**
 * The class of a request's end: from the answer's status when there was one, else `timeout` for
 * ferry's own timeouts and `network` for anything else (refused, reset, DNS, TLS…).
 */
export function requestClass(status: number | undefined, error?: unknown): RequestClass {
  if (status === undefined) return error instanceof FerryError && error.code === 'E_TARGET_TIMEOUT' ? 'timeout' : 'network';
  if (status === 429) return '429';
  if (status >= 500) return '5xx';
  if (status >= 400) return '4xx';
  if (status >= 300) return '3xx';
  return '2xx';
}

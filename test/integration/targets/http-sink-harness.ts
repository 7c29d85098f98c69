/**
 * Shared setup of the HTTP sink tests: a real local target, a sink pointed at it, and chunks of
 * order records, all closed after each test.
 */
import type { TestContext } from 'node:test';

import type { HttpTarget as HttpTargetSpec } from '../../../src/profiles/schema.js';
import { createHttpSink, type HttpSinkOptions } from '../../../src/targets/http/http-sink.js';
import type { DeliveryChunk, Sink } from '../../../src/targets/types.js';
import { startHttpTarget, type HttpTarget, type HttpTargetOptions } from '../../support/http-target.js';

/** `count` order records `{ orderId: "A1", qty: 1 }`, … */
export function orders(count: number, start = 1): { orderId: string; qty: number }[] {
  return Array.from({ length: count }, (_, i) => ({ orderId: `A${start + i}`, qty: start + i }));
}

/** A chunk of records as the orchestrator would hand it over. */
export function chunkOf(records: readonly object[], key = 'ferry-key-1'): DeliveryChunk {
  return {
    key,
    records: records.map((r) => JSON.stringify(r)),
    rows: records.map((_, i) => i + 2),
    file: 'orders.csv',
    batch: 'b-42',
    profile: 'erp-orders',
  };
}

/** A target and a sink on it, closed when the test ends. */
export async function setup(
  t: TestContext,
  settings: Omit<Partial<HttpTargetSpec>, 'type'> = {},
  targetOptions: HttpTargetOptions = {},
  sinkOptions: HttpSinkOptions = {},
): Promise<{ target: HttpTarget; sink: Sink }> {
  const target = await startHttpTarget(targetOptions);
  const sink = createHttpSink({ type: 'http', url: `${target.url}/v1/orders`, ...settings }, { baseDelayMs: 10, ...sinkOptions });
  t.after(async () => {
    await sink.close();
    await target.close();
  });
  return { target, sink };
}

/** A signal that never aborts. */
export const never = new AbortController().signal;

/** The message and code of a rejection, for assert.rejects. */
export function rejection(code: string, name: 'InputError' | 'TransientError'): (error: unknown) => boolean {
  return (error) => error instanceof Error && error.name === name && (error as { code?: unknown }).code === code;
}

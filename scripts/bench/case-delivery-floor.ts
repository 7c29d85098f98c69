/**
 * The floor of the delivery benchmark (issue 3): the least work that gets the reference CSV's
 * records to the target. Decodes with the fast windows-1252 decoder, splits on `\n` and `;` (the
 * naive-split floor: no quoting), builds the same records as scripts/bench/profiles/
 * reference-orders.yaml (so the bodies are about the same bytes as ferry's), `JSON.stringify`s
 * them in batches and POSTs each batch with node:http keep-alive, a fixed number in flight.
 *
 * `node case-delivery-floor.js <csv> <target url> [batchSize=1000] [concurrency=4]`. Counts the
 * records the target accepted with a 2xx; fails on any other answer. No state, no spool, no result
 * file, no idempotency hashing: ferry's durability costs are exactly what this leaves out.
 */
import { Agent, request } from 'node:http';
import { openWin1252 } from './open-win1252.js';
import { runCase } from './case-runtime.js';

const STATUS: Readonly<Record<string, string>> = { O: 'open', C: 'closed' };
const WAREHOUSES: Readonly<Record<string, string>> = {
  WH1: 'OSL-1', WH2: 'BRG-2', WH3: 'TRD-3', WH4: 'SVG-4', WH5: 'TOS-5',
};

/** One row of the reference file as the bench profile maps it (without its checks). */
interface FloorRecord {
  orderId: string | undefined;
  customer: string | undefined;
  sku: string | undefined;
  qty: number;
  price: number;
  orderedAt: string;
  status: string | undefined;
  warehouse: string | undefined;
  weightKg: number;
  comment: string | undefined;
}

function toRecord(fields: readonly string[]): FloorRecord {
  const [orderId, customer, sku, qty = '', price = '', date = '', status = '', warehouse = '', weight = '', comment] =
    fields;
  return {
    orderId,
    customer: customer?.trim(),
    sku,
    qty: Number(qty),
    price: Number(price.replaceAll('.', '').replace(',', '.')),
    orderedAt: `${date.slice(6, 10)}-${date.slice(3, 5)}-${date.slice(0, 2)}`,
    status: STATUS[status],
    warehouse: WAREHOUSES[warehouse],
    weightKg: Number(weight.replace(',', '.')),
    // Empty cells are absent in ferry's records; undefined keeps JSON.stringify from writing them.
    comment: comment === '' ? undefined : comment,
  };
}

function post(agent: Agent, url: URL, body: string, key: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const payload = Buffer.from(body, 'utf8');
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': payload.length, 'idempotency-key': key },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300) resolve();
          else reject(new Error(`the target answered ${res.statusCode ?? '?'}`));
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

runCase(async (file, args) => {
  const target = args[0];
  if (target === undefined) throw new Error('usage: case-delivery-floor.js <csv> <target url> [batchSize] [concurrency]');
  const url = new URL(target);
  const batchSize = Number(args[1] ?? 1000);
  const concurrency = Number(args[2] ?? 4);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let delivered = 0;
  let sent = 0;
  const send = async (records: FloorRecord[]): Promise<void> => {
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (failure !== undefined) throw failure;
    const p: Promise<void> = post(agent, url, JSON.stringify(records), `floor-${sent++}`)
      .then(() => {
        delivered += records.length;
      })
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };

  let header = true;
  let carry = '';
  let batch: FloorRecord[] = [];
  // Synchronous per line; only a full batch costs an await (backpressure from the in-flight limit).
  const consume = (line: string): FloorRecord[] | undefined => {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text === '') return undefined;
    if (header) {
      header = false;
      return undefined;
    }
    batch.push(toRecord(text.split(';')));
    if (batch.length < batchSize) return undefined;
    const full = batch;
    batch = [];
    return full;
  };
  for await (const chunk of openWin1252(file, 'fast')) {
    const lines = (carry + String(chunk)).split('\n');
    carry = lines.pop() ?? '';
    for (const line of lines) {
      const full = consume(line);
      if (full !== undefined) await send(full);
    }
  }
  const last = consume(carry);
  if (last !== undefined) await send(last);
  if (batch.length > 0) await send(batch);
  await Promise.all(inFlight);
  agent.destroy();
  if (failure !== undefined) throw failure;
  return delivered;
});

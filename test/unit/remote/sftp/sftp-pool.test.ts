import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { FerryError, InputError, TransientError } from '../../../../src/errors.js';
import { ConnectionPool, type Pooled } from '../../../../src/remote/sftp/sftp-pool.js';

class Conn implements Pooled {
  broken: Error | undefined;
  ended = false;
  private readonly watchers = new Set<(err: Error) => void>();
  constructor(readonly id: number) {}
  onBroken(cb: (err: Error) => void): () => void {
    this.watchers.add(cb);
    return () => this.watchers.delete(cb);
  }
  breakWith(err: Error): void {
    this.broken = err;
    for (const w of this.watchers) w(err);
  }
  end(): Promise<void> {
    this.ended = true;
    return Promise.resolve();
  }
}

/** A pool over fake connections, with a clock the test moves and connects it can make fail. */
function setup(max: number): { pool: ConnectionPool<Conn>; opened: Conn[]; clock: { now: number }; failNext: (err: FerryError) => void } {
  const opened: Conn[] = [];
  const clock = { now: 1_000_000 };
  const failures: FerryError[] = [];
  const pool = new ConnectionPool<Conn>({
    label: 'sftp://u@h:22',
    max,
    now: () => clock.now,
    open: async () => {
      await Promise.resolve();
      const f = failures.shift();
      if (f !== undefined) throw f;
      const c = new Conn(opened.length + 1);
      opened.push(c);
      return c;
    },
  });
  return { pool, opened, clock, failNext: (err) => failures.push(err) };
}

async function rejection(p: Promise<unknown>): Promise<FerryError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof FerryError);
    return err;
  }
  assert.fail('expected a rejection');
}

describe('SFTP connection pool', () => {
  it('opens at most max connections and serves waiting calls in order as connections come back', async () => {
    const { pool, opened } = setup(2);
    const a = await pool.acquire();
    const b = await pool.acquire();
    const order: number[] = [];
    const c = pool.acquire().then((s) => {
      order.push(1);
      return s;
    });
    const d = pool.acquire().then((s) => {
      order.push(2);
      return s;
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(opened.length, 2);
    pool.release(a);
    pool.release(b);
    assert.equal(await c, a);
    assert.equal(await d, b);
    assert.deepEqual(order, [1, 2]);
    assert.equal(pool.size, 2);
    assert.equal(pool.health().state, 'ok');
  });

  it('drops a broken connection and opens a new one for the next call', async () => {
    const { pool, opened } = setup(1);
    const a = await pool.acquire();
    a.breakWith(new Error('reset'));
    pool.release(a);
    assert.equal(a.ended, true);
    const b = await pool.acquire();
    assert.notEqual(b, a);
    assert.equal(opened.length, 2);
  });

  it('notices a connection that breaks while idle and reports the server down', async () => {
    const { pool } = setup(1);
    const a = await pool.acquire();
    pool.release(a);
    a.breakWith(new Error('the server ended the connection'));
    assert.equal(pool.size, 0);
    const h = pool.health();
    assert.equal(h.state, 'down');
    assert.equal(h.lastError, 'the server ended the connection');
    assert.ok(h.lastErrorAt !== null);
  });

  it('fails fast during the backoff after a failed connect, doubling the wait up to 30 s', async () => {
    const { pool, clock, failNext } = setup(2);
    const refused = new TransientError('E_REMOTE_UNAVAILABLE', 'sftp://u@h:22: cannot connect (ECONNREFUSED)');
    failNext(refused);
    assert.equal(await rejection(pool.acquire()), refused);
    const early = await rejection(pool.acquire());
    assert.equal(early.code, 'E_REMOTE_UNAVAILABLE');
    assert.match(early.message, /cannot connect \(ECONNREFUSED\) \(next attempt in 0\.2 s\)/);
    assert.ok(early instanceof TransientError && early.retryAfterMs === 200);

    const waits: number[] = [];
    for (let i = 0; i < 10; i++) {
      clock.now += 60_000;
      failNext(refused);
      await rejection(pool.acquire());
      const blocked = await rejection(pool.acquire());
      waits.push(blocked instanceof TransientError ? (blocked.retryAfterMs ?? 0) : 0);
    }
    assert.deepEqual(waits, [400, 800, 1600, 3200, 6400, 12800, 25600, 30000, 30000, 30000]);

    clock.now += 30_000;
    const s = await pool.acquire();
    assert.equal(pool.health().state, 'ok');
    pool.release(s);
    failNext(refused);
    s.breakWith(new Error('gone'));
    await rejection(pool.acquire());
    // a success reset the backoff to its start
    assert.match((await rejection(pool.acquire())).message, /next attempt in 0\.2 s/);
  });

  it('keeps input errors (wrong host key, wrong password) as input errors during the backoff', async () => {
    const { pool, failNext } = setup(1);
    failNext(new InputError('E_HOSTKEY_MISMATCH', 'the host key SHA256:x does not match'));
    await rejection(pool.acquire());
    const again = await rejection(pool.acquire());
    assert.equal(again.code, 'E_HOSTKEY_MISMATCH');
    assert.equal(again.kind, 'input');
  });

  it('lets a waiting call be aborted, and fails waiting calls when closed', async () => {
    const { pool } = setup(1);
    const a = await pool.acquire();
    const controller = new AbortController();
    const aborted = pool.acquire(controller.signal);
    controller.abort(new Error('shutting down'));
    await assert.rejects(aborted, /shutting down/);
    const waiting = pool.acquire();
    await pool.close();
    assert.equal((await rejection(waiting)).code, 'E_REMOTE_UNAVAILABLE');
    assert.equal(a.ended, true);
    assert.equal((await rejection(pool.acquire())).code, 'E_REMOTE_UNAVAILABLE');
  });
});

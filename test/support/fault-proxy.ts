/**
 * A TCP proxy on 127.0.0.1 that breaks the link between a client and a test server: it cuts a
 * connection after a number of bytes, or stalls every connection like a dead route.
 */
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/** A running {@link startFaultProxy} proxy. */
export interface FaultProxy {
  /** The port clients connect to instead of the target's. */
  readonly port: number;
  /**
   * The next connection accepted is cut (both sockets destroyed) once n bytes have gone from the
   * server to the client (or, with `from: 'client'`, from the client to the server); the receiving
   * side gets exactly those n bytes first. Once, then cleared.
   */
  cutAfterBytes(n: number, from?: 'server' | 'client'): void;
  /** Cuts every connection open now (both sockets destroyed), as a dropped route would. */
  cutAll(): void;
  /**
   * While on, connections are accepted but nothing is forwarded in either direction, on new and
   * already open connections alike (bytes wait in the sockets, as on a stalled route); turning it
   * off lets them flow again.
   */
  blackhole(on: boolean): void;
  close(): Promise<void>;
}

interface Link {
  readonly client: Socket;
  readonly server: Socket;
}

function pipeWithCut(from: Socket, to: Socket, cutAfter: number | undefined, cut: () => void): void {
  let forwarded = 0;
  from.on('data', (chunk: Buffer) => {
    if (cutAfter === undefined) {
      to.write(chunk);
      return;
    }
    const allowed = cutAfter - forwarded;
    forwarded += chunk.length;
    if (chunk.length < allowed) {
      to.write(chunk);
      return;
    }
    from.pause();
    to.write(chunk.subarray(0, allowed), cut);
  });
}

/** Starts a proxy to `targetHost:targetPort` on 127.0.0.1 (a free port). */
export async function startFaultProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<FaultProxy> {
  const links = new Set<Link>();
  let pendingCut: { readonly n: number; readonly from: 'server' | 'client' } | undefined;
  let stalled = false;

  function setFlowing(link: Link): void {
    for (const socket of [link.client, link.server]) {
      if (stalled) socket.pause();
      else socket.resume();
    }
  }

  const proxy = createServer((client) => {
    const server = connect(targetPort, targetHost);
    const link: Link = { client, server };
    links.add(link);
    const cutAfter = pendingCut;
    pendingCut = undefined;
    const cut = (): void => {
      client.destroy();
      server.destroy();
    };
    for (const socket of [client, server]) {
      socket.on('error', cut);
      socket.on('close', () => {
        cut();
        links.delete(link);
      });
    }
    pipeWithCut(server, client, cutAfter?.from === 'server' ? cutAfter.n : undefined, cut);
    pipeWithCut(client, server, cutAfter?.from === 'client' ? cutAfter.n : undefined, cut);
    setFlowing(link);
  });

  const port = await new Promise<number>((resolve, reject) => {
    proxy.once('error', reject);
    proxy.listen(0, '127.0.0.1', () => {
      proxy.off('error', reject);
      resolve((proxy.address() as AddressInfo).port);
    });
  });

  return {
    port,
    cutAfterBytes(n: number, from: 'server' | 'client' = 'server'): void {
      pendingCut = { n, from };
    },
    cutAll(): void {
      for (const link of links) {
        link.client.destroy();
        link.server.destroy();
      }
    },
    blackhole(on: boolean): void {
      stalled = on;
      for (const link of links) setFlowing(link);
    },
    close(): Promise<void> {
      const closed = new Promise<void>((resolve) => proxy.close(() => resolve()));
      for (const link of links) {
        link.client.destroy();
        link.server.destroy();
      }
      return closed;
    },
  };
}

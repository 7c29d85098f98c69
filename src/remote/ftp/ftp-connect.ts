import { Client, enterPassiveModeIPv6, type FTPContext, type FTPResponse } from 'basic-ftp';
import { connectForPassiveTransfer, parsePasvResponse } from 'basic-ftp/dist/transfer.js';
import { Socket, type ConnectOpts, type OnReadOpts, type SocketConstructorOpts } from 'node:net';
import { TLSSocket } from 'node:tls';

import { guardDataSocket, tlsOptionsFor, verifyServerCertificate, type TlsTrust } from './ftp-tls.js';

/** What a connection needs to log in; built once from the profile's connection. */
export interface FtpSettings {
  readonly label: string;
  readonly host: string;
  readonly port: number;
  readonly user: string | undefined;
  readonly password: string | undefined;
  readonly tls: 'none' | 'explicit' | 'implicit';
  readonly ca: string | undefined;
  readonly trust: TlsTrust;
  readonly usePasvAddress: boolean;
  readonly timeoutMs: number;
  readonly maxListingBytes: number;
}

/** One logged-in control connection and what was learnt about the server on the way. */
export interface FtpSession {
  readonly client: Client;
  /** the working directory after login: relative paths resolve against it, so it is restored after every `cd` */
  readonly home: string;
  /** the server announced MLST in FEAT, so MLSD listings and MLST stat give precise timestamps */
  readonly mlst: boolean;
  /** operations run on this connection so far (a reused connection may have gone stale) */
  uses: number;
  /**
   * Hands the bytes of the next data connection to `onread` instead of to basic-ftp (see
   * {@link DataRoute}); false on FTPS, whose data connection must be decrypted first.
   */
  readonly routeNextData: (onread: OnReadOpts) => boolean;
  /** withdraws a route the next data connection has not taken yet */
  readonly clearDataRoute: () => void;
}

/**
 * Where the next plain-FTP data connection delivers what it reads. A download sets it just before
 * its RETR: the socket then reads into the download's own large buffers (`onread`), so a 90 MB
 * file arrives in a few hundred reads instead of some 1,400 64 KB 'data' events, each of which
 * costs a trip through the stream machinery. basic-ftp still pipes the socket and so still sees
 * its end, errors and pauses; it just receives no data.
 */
interface DataRoute {
  onread: OnReadOpts | undefined;
}

/**
 * Opens a control connection and logs in: TLS first (explicit AUTH TLS or implicit), the server
 * certificate checked before the password is sent, then binary mode and, with TLS, PROT P, which
 * is required (basic-ftp would ignore a refusal and send data in clear). The whole sequence has a
 * deadline because a stalled TLS handshake has no timeout of its own.
 */
export async function openSession(settings: FtpSettings): Promise<FtpSession> {
  const client = new Client(settings.timeoutMs, {
    allowSeparateTransferHost: settings.usePasvAddress,
    maxListingBytes: settings.maxListingBytes,
  });
  const route: DataRoute = { onread: undefined };
  client.prepareTransfer = passiveTransfer(settings, route);
  let timer: NodeJS.Timeout | undefined;
  const limitMs = settings.timeoutMs * 2;
  const deadline = new Promise<never>((_, fail) => {
    if (limitMs <= 0) return;
    timer = setTimeout(() => {
      client.close();
      fail(new Error(`Timeout (connecting and logging in took more than ${limitMs} ms)`));
    }, limitMs);
  });
  try {
    return await Promise.race([login(client, settings, route), deadline]);
  } catch (err) {
    client.close();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

async function login(client: Client, settings: FtpSettings, route: DataRoute): Promise<FtpSession> {
  const tlsOptions = tlsOptionsFor(settings.host, settings.ca);
  if (settings.tls === 'implicit') {
    await client.connectImplicitTLS(settings.host, settings.port, tlsOptions);
  } else {
    await client.connect(settings.host, settings.port);
    if (settings.tls === 'explicit') await client.useTLS(tlsOptions);
  }
  if (settings.tls !== 'none') {
    const socket = client.ftp.socket;
    if (!(socket instanceof TLSSocket)) throw new Error('the control connection is not encrypted after the TLS handshake');
    verifyServerCertificate(socket, settings.trust);
  }
  await client.sendIgnoringError('OPTS UTF8 ON');
  await client.login(settings.user, settings.password);
  const features = await client.features();
  const mlst = features.has('MLST');
  client.availableListCommands = mlst ? ['MLSD', 'LIST -a', 'LIST'] : ['LIST -a', 'LIST'];
  await client.send('TYPE I');
  await client.sendIgnoringError('STRU F');
  await client.sendIgnoringError('OPTS UTF8 ON');
  if (mlst) await client.sendIgnoringError('OPTS MLST type;size;modify;');
  if (settings.tls !== 'none') {
    await client.send('PBSZ 0');
    await client.send('PROT P');
  }
  const home = await client.pwd();
  const routeNextData = (onread: OnReadOpts): boolean => {
    if (settings.tls !== 'none') return false;
    route.onread = onread;
    return true;
  };
  return { client, home, mlst, uses: 0, routeNextData, clearDataRoute: () => { route.onread = undefined; } };
}

/**
 * Passive mode that connects data channels to the control connection's host: EPSV (which only
 * names a port) first, then PASV with the address in its 227 reply ignored, because servers behind
 * NAT announce private addresses and a hostile one could point us anywhere (FTP bounce).
 * `usePasvAddress` follows the announced address for the rare server whose data host differs.
 */
function passiveTransfer(settings: FtpSettings, route: DataRoute): (ftp: FTPContext) => Promise<FTPResponse> {
  let mode: 'epsv' | 'pasv' | undefined;
  const open = async (ftp: FTPContext): Promise<FTPResponse> => {
    if (mode !== 'pasv') {
      try {
        const res = await enterPassiveModeIPv6(ftp);
        mode = 'epsv';
        return res;
      } catch (err) {
        if (mode === 'epsv' || ftp.closed) throw err;
      }
    }
    const res = await ftp.request('PASV');
    const target = parsePasvResponse(res.message);
    const controlHost = ftp.socket.remoteAddress?.replace(/^::ffff:/i, '');
    if (controlHost === undefined) throw new Error('the control connection is closed');
    await connectForPassiveTransfer(settings.usePasvAddress ? target.host : controlHost, target.port, ftp);
    mode = 'pasv';
    return res;
  };
  return async (ftp) => {
    const onread = route.onread;
    route.onread = undefined;
    if (onread === undefined) {
      const res = await open(ftp);
      if (settings.tls !== 'none') guardDataSocket(ftp.dataSocket, settings.trust);
      return res;
    }
    // basic-ftp creates its data socket through _newSocket; only this connection gets the reader
    const options: SocketConstructorOpts & ConnectOpts = { onread };
    ftp._newSocket = () => new Socket(options);
    try {
      return await open(ftp);
    } finally {
      Reflect.deleteProperty(ftp, '_newSocket');
    }
  };
}

/**
 * SFTP protocol details the test SFTP server needs beyond what ssh2's server side offers:
 * announcing extensions, decoding extension arguments, applying SETSTAT attributes and
 * translating OPEN flags.
 */
import { constants } from 'node:fs';
import { chmod, truncate, utimes, type FileHandle } from 'node:fs/promises';
import ssh2 from 'ssh2';
import type { Attributes, SFTPWrapper } from 'ssh2';

/** The parts of ssh2's SFTP object used to rewrite its VERSION packet. */
interface SftpInternals {
  _protocol: ChannelWriter;
  readonly outgoing: { window: number };
}

interface ChannelWriter {
  channelData(id: number, data: Buffer): void;
}

const { OPEN_MODE } = ssh2.utils.sftp;
const SSH_FXP_VERSION = 2;
const SFTP_V3 = 3;

function isVersionPacket(data: Buffer): boolean {
  return data.length === 9 && data[4] === SSH_FXP_VERSION && data.readUInt32BE(5) === SFTP_V3;
}

function sshString(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function versionPacket(extensions: Readonly<Record<string, string>>): Buffer {
  const head = Buffer.alloc(5);
  head[0] = SSH_FXP_VERSION;
  head.writeUInt32BE(SFTP_V3, 1);
  const body = Buffer.concat([
    head,
    ...Object.entries(extensions).flatMap(([name, value]) => [sshString(name), sshString(value)]),
  ]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([length, body]);
}

/**
 * Makes the server's VERSION reply announce `extensions` (such as `posix-rename@openssh.com`),
 * which clients only use when announced. ssh2's server always sends a bare VERSION packet and
 * has no option for this, so the packet is swapped on its way out; call before the client's
 * INIT arrives, that is right after accepting the subsystem.
 */
export function advertiseExtensions(sftp: SFTPWrapper, extensions: Readonly<Record<string, string>>): void {
  const internals = sftp as unknown as SftpInternals;
  const protocol = internals._protocol;
  const send = (id: number, data: Buffer): void => {
    if (!isVersionPacket(data)) {
      protocol.channelData(id, data);
      return;
    }
    internals._protocol = protocol;
    const packet = versionPacket(extensions);
    // ssh2 charged the channel window for the bare packet only.
    internals.outgoing.window -= packet.length - data.length;
    protocol.channelData(id, packet);
  };
  internals._protocol = new Proxy(protocol, {
    get(target, property): unknown {
      if (property === 'channelData') return send;
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Decodes `count` SSH strings from an extension request's data; undefined when malformed. */
export function readStrings(data: Buffer | undefined, count: number): string[] | undefined {
  if (data === undefined) return undefined;
  const strings: string[] = [];
  let offset = 0;
  for (let index = 0; index < count; index += 1) {
    if (offset + 4 > data.length) return undefined;
    const length = data.readUInt32BE(offset);
    offset += 4;
    if (offset + length > data.length) return undefined;
    strings.push(data.toString('utf8', offset, offset + length));
    offset += length;
  }
  return strings;
}

/** Applies the attributes of a SETSTAT (a path) or FSETSTAT (an open file); absent ones are left alone. */
export async function applyAttrs(attrs: Attributes, target: string | FileHandle): Promise<void> {
  const given: Partial<Attributes> = attrs;
  if (typeof given.size === 'number') {
    await (typeof target === 'string' ? truncate(target, given.size) : target.truncate(given.size));
  }
  if (typeof given.mode === 'number') {
    const mode = given.mode & 0o7777;
    await (typeof target === 'string' ? chmod(target, mode) : target.chmod(mode));
  }
  if (typeof given.atime === 'number' && typeof given.mtime === 'number') {
    const { atime, mtime } = given;
    await (typeof target === 'string' ? utimes(target, atime, mtime) : target.utimes(atime, mtime));
  }
}

/** The `open(2)` flags for SFTP OPEN pflags (SSH_FXF_*). */
export function openFlags(pflags: number): number {
  const read = (pflags & OPEN_MODE.READ) !== 0;
  const write = (pflags & OPEN_MODE.WRITE) !== 0;
  let flags = read && write ? constants.O_RDWR : write ? constants.O_WRONLY : constants.O_RDONLY;
  if ((pflags & OPEN_MODE.CREAT) !== 0) flags |= constants.O_CREAT;
  if ((pflags & OPEN_MODE.TRUNC) !== 0) flags |= constants.O_TRUNC;
  if ((pflags & OPEN_MODE.EXCL) !== 0) flags |= constants.O_EXCL;
  if ((pflags & OPEN_MODE.APPEND) !== 0) flags |= constants.O_APPEND;
  return flags;
}

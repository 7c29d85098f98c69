/**
 * The download faults of the test SFTP server: which READs of a download are answered, cut
 * short or never answered.
 */
import type { SftpFaults } from './sftp-server.js';

/** A fault armed on one open file. */
export interface ReadFault {
  /** `cut` breaks the connection at the limit; `eof` answers EOF there. */
  readonly kind: 'cut' | 'eof';
  readonly bytes: number;
  /** Offset of the first READ: the fault counts bytes from where the download started. */
  start?: number;
}

/** What to do with one READ. */
export type ReadPlan =
  | { readonly action: 'cut' }
  | { readonly action: 'eof' }
  /** Read at most `length` bytes; `limit` is the file offset where the fault strikes (Infinity if none). */
  | { readonly action: 'read'; readonly length: number; readonly limit: number };

/** Takes the download fault armed in `faults`, if any, clearing it so that it hits one download only. */
export function takeReadFault(faults: SftpFaults): ReadFault | undefined {
  if (faults.cutReadAfterBytes !== undefined) {
    const bytes = faults.cutReadAfterBytes;
    delete faults.cutReadAfterBytes;
    return { kind: 'cut', bytes };
  }
  if (faults.endWithoutErrorAfterBytes !== undefined) {
    const bytes = faults.endWithoutErrorAfterBytes;
    delete faults.endWithoutErrorAfterBytes;
    return { kind: 'eof', bytes };
  }
  return undefined;
}

/** Plans a READ of `length` bytes at `offset` under `fault`. */
export function planRead(fault: ReadFault | undefined, offset: number, length: number): ReadPlan {
  if (fault === undefined) return { action: 'read', length, limit: Number.POSITIVE_INFINITY };
  fault.start ??= offset;
  const limit = fault.start + fault.bytes;
  if (offset >= limit) return { action: fault.kind };
  return { action: 'read', length: Math.min(length, limit - offset), limit };
}

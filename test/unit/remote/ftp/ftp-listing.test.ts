import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseMlstReply, safeParseList, toEntries } from '../../../../src/remote/ftp/ftp-listing.js';

function entries(dir: string, listing: string): { list: ReturnType<typeof toEntries>; skipped: string[] } {
  const skipped: string[] = [];
  const skip = (name: string): void => {
    skipped.push(name);
  };
  const list = toEntries(dir, safeParseList(listing, skip), skip);
  return { list, skipped };
}

describe('FTP listings', () => {
  it('takes exact timestamps, sizes and types from MLSD facts', () => {
    const { list } = entries('/in', [
      'type=cdir;modify=20240102030405; .',
      'type=pdir;modify=20240102030405; ..',
      'type=file;size=1234;modify=20240310140207;UNIX.mode=0644; orders 1.csv',
      'type=dir;modify=20240102030405; archive',
      'type=OS.unix=symlink;size=3;modify=20240102030405; latest',
      '',
    ].join('\r\n'));
    assert.deepEqual(list.map((e) => [e.name, e.path, e.type, e.size]), [
      ['orders 1.csv', '/in/orders 1.csv', 'file', 1234],
      ['archive', '/in/archive', 'dir', 0],
      ['latest', '/in/latest', 'link', 3],
    ]);
    assert.equal(list[0]?.mtimeMs, Date.UTC(2024, 2, 10, 14, 2, 7));
  });

  it('leaves mtimeMs undefined for MLSD without a modify fact', () => {
    const { list } = entries('/', 'type=file;size=5; a.csv\r\n');
    assert.deepEqual(list, [{ name: 'a.csv', path: '/a.csv', type: 'file', size: 5, mtimeMs: undefined }]);
  });

  it('leaves mtimeMs undefined for LIST lines, which have no year or no time and no zone', () => {
    const { list } = entries('out', [
      'total 12',
      '-rw-r--r--   1 ftp      ftp          1234 Mar 10 14:02 recent.csv',
      '-rw-r--r--   1 ftp      ftp            99 Jan 01  2023 old file.csv',
      'drwxr-xr-x   2 ftp      ftp          4096 Jan 01  2023 sub',
      'lrwxrwxrwx   1 ftp      ftp             8 Jan 01  2023 link -> old file.csv',
      '',
    ].join('\r\n'));
    assert.deepEqual(list.map((e) => [e.name, e.path, e.type, e.size, e.mtimeMs]), [
      ['recent.csv', 'out/recent.csv', 'file', 1234, undefined],
      ['old file.csv', 'out/old file.csv', 'file', 99, undefined],
      ['sub', 'out/sub', 'dir', 4096, undefined],
      ['link', 'out/link', 'link', 8, undefined],
    ]);
  });

  it('keeps names with spaces and non-ASCII letters exactly as the server spells them', () => {
    const nfd = 'Bestellung-Mu\u0308nchen.csv';
    const { list } = entries('/', `type=file;size=1; ${nfd}\r\ntype=file;size=1;  leading space.csv\r\n`);
    assert.deepEqual(list.map((e) => e.name), [nfd, ' leading space.csv']);
    assert.notEqual(list[0]?.name, list[0]?.name.normalize('NFC'));
  });

  it('skips names that would inject commands or climb out, and reports each', () => {
    const { list, skipped } = entries('/in', [
      'type=file;size=1; good.csv',
      'type=file;size=1; bad\rname.csv',
      'type=file;size=1; a\u0000b.csv',
      'type=file;size=1; ../../evil.csv',
    ].join('\r\n'));
    assert.deepEqual(list.map((e) => e.path), ['/in/good.csv']);
    // basic-ftp's MLSD parser already drops names containing '/'; the others are ours to catch
    assert.deepEqual(skipped, ['type=file;size=1; bad\rname.csv', 'type=file;size=1; a\u0000b.csv']);
    const listed = entries('/in', '-rw-r--r-- 1 ftp ftp 1 Mar 10 14:02 a\rb.csv\r\n-rw-r--r-- 1 ftp ftp 1 Mar 10 14:02 ok.csv\r\n');
    assert.deepEqual(listed.list.map((e) => e.name), ['ok.csv']);
    assert.deepEqual(listed.skipped, ['-rw-r--r-- 1 ftp ftp 1 Mar 10 14:02 a\rb.csv']);
  });

  it('lists the other files when a name with CRLF ends the listing (B27): basic-ftp picks its parser by the last line', () => {
    const { list, skipped } = entries('/in', [
      '-rw-r--r-- 1 ftp ftp 1 Mar 10 14:02 good.csv',
      '-rw-r--r-- 1 ftp ftp 1 Mar 10 14:02 x',
      'DELE y.csv',
      '',
      'total 3',
      '',
    ].join('\r\n'));
    assert.deepEqual(list.map((e) => e.path), ['/in/good.csv', '/in/x']);
    assert.deepEqual(skipped, ['DELE y.csv']);
  });

  it('reads the fact line of an MLST reply', () => {
    const info = parseMlstReply('250-Listing /in/a.csv\n type=file;size=42;modify=20240102030405; /in/a.csv\n250 End');
    assert.equal(info?.size, 42);
    assert.equal(info?.isFile, true);
    assert.equal(info?.modifiedAt?.getTime(), Date.UTC(2024, 0, 2, 3, 4, 5));
    assert.equal(parseMlstReply('250 OK'), undefined);
  });
});

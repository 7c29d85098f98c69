/**
 * The content of a `<name>.done` marker: the data file's name and a newline. Not empty, because
 * a zero-byte upload over a TLS data connection fails on common FTPS servers (vsftpd answers the
 * TLS close with "wrong version number"; lftp and FluentFTP users report the same), and a marker
 * that names its file is handier for the customer anyway.
 */
export function doneMarker(dataFileName: string): Buffer {
  return Buffer.from(`${dataFileName}\n`, 'utf8');
}

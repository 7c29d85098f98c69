import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';

import busboy from 'busboy';

import { FerryError } from '../errors.js';
import type { Logger } from '../log.js';
import { bearerToken, sameSecret } from './admin-tokens.js';
import { refuseTooLarge } from './read-body.js';
import { sendJson } from './run-request.js';
import type { UploadTarget } from './types.js';

/** `filename="…"` of a Content-Disposition header. */
function dispositionName(header: string | undefined): string | undefined {
  const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(header ?? '');
  if (m?.[1] === undefined) return undefined;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}

/** The single file part of a multipart body, as a stream, with its file name. */
function firstFilePart(req: IncomingMessage, maxBytes: number): Promise<{ name: string; stream: Readable } | undefined> {
  return new Promise((resolve, reject) => {
    const parser = busboy({ headers: req.headers, limits: { files: 1, fileSize: maxBytes + 1, fields: 20, fieldSize: 4096 } });
    let found = false;
    parser.on('file', (_field, stream, info) => {
      found = true;
      resolve({ name: info.filename ?? 'upload', stream });
    });
    parser.on('error', reject);
    parser.on('close', () => {
      if (!found) resolve(undefined);
    });
    req.pipe(parser);
  });
}

/**
 * `POST /upload/<profile>`: the body (raw, or the one file of a multipart form) is a batch file for
 * a `source.type: http` profile. Authenticated by the profile's `source.token`; the file name comes
 * from `?name=`, the Content-Disposition header or the form part. Answers 202 with the run and
 * batch id once the file is on disk and its batch committed; 413 past `source.maxSize`, and
 * nothing is kept of a refused upload.
 */
export async function handleUpload(req: IncomingMessage, res: ServerResponse, profile: string, url: URL, target: UploadTarget | undefined, log: Logger): Promise<void> {
  if (target === undefined) return sendJson(res, 404, { error: `profile ${profile} does not take uploads (it needs source.type: http and a target)` }, { close: true });
  if (target.token === undefined) return sendJson(res, 401, { error: `profile ${profile} has no source.token, so it takes no uploads` }, { close: true });
  const given = bearerToken(req.headers.authorization);
  if (given === undefined || !sameSecret(given, target.token)) {
    log.warn({ profile }, 'upload refused: wrong or missing token');
    return sendJson(res, 401, { error: 'an upload needs Authorization: Bearer <source.token>' }, { close: true });
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > target.maxBytes + 64 * 1024) return sendJson(res, 413, { error: `the upload is ${declared} bytes; profile ${profile} takes at most ${target.maxBytes} (source.maxSize)` }, { close: true });
  let name = url.searchParams.get('name') ?? dispositionName(req.headers['content-disposition']);
  let body: Readable = req;
  if (/^multipart\/form-data/i.test(req.headers['content-type'] ?? '')) {
    const part = await firstFilePart(req, target.maxBytes);
    if (part === undefined) return sendJson(res, 400, { error: 'the multipart form has no file part' }, { close: true });
    name ??= part.name;
    body = part.stream;
  }
  try {
    const got = await target.receive(name ?? 'upload', body);
    return sendJson(res, 202, { profile, run: got.runId, batch: got.batchId, file: got.fileName, size: got.size });
  } catch (err) {
    if (err instanceof FerryError && err.code === 'E_UPLOAD_TOO_LARGE') return refuseTooLarge(req, res, err.message);
    throw err;
  }
}

import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Test } from 'supertest';

/** A part of a multipart/form-data body (RFC 7578): a text field or a file. */
export type Part =
  { field: string; value: string } | { field: string; filename: string; content: Buffer | string };

const BOUNDARY = '----fts-test-boundary-7c1f';

/**
 * A multipart body built byte for byte, so file names reach the server exactly as given
 * (form libraries normalise or strip paths, which would hide what these tests send).
 */
export function multipart(parts: Part[]): { body: Buffer; contentType: string } {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition =
      'filename' in p
        ? `form-data; name="${p.field}"; filename="${p.filename.replace(/"/g, '%22')}"`
        : `form-data; name="${p.field}"`;
    const type = 'filename' in p ? '\r\nContent-Type: application/octet-stream' : '';
    chunks.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: ${disposition}${type}\r\n\r\n`));
    chunks.push(Buffer.from('filename' in p ? p.content : p.value));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${BOUNDARY}` };
}

/** Send parts on a supertest request. */
export function sendParts(req: Test, parts: Part[]): Test {
  const { body, contentType } = multipart(parts);
  return req.set('Content-Type', contentType).send(body);
}

/** Every file of a local run folder as `files` parts named by their relative path. */
export async function folderParts(dir: string, rel = ''): Promise<Part[]> {
  const out: Part[] = [];
  for (const e of (await fs.readdir(path.join(dir, rel), { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  )) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await folderParts(dir, r)));
    else out.push({ field: 'files', filename: r, content: await fs.readFile(path.join(dir, r)) });
  }
  return out;
}

import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import { Invalid } from '@fts/shared';
import { GcsStore } from '../../shared/src/node/storage/gcs-store';

// V4 signed URLs, checked offline against the signing rules in the GCS docs
// ("Signed URLs", "Canonical requests", "Signatures"): nothing here talks to a server.

/** RFC 3986 percent-encoding, as the canonical query string requires. */
const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The string-to-sign a V4 signed GET URL stands for, rebuilt from the URL alone. */
function stringToSign(signedUrl: string): string {
  const url = new URL(signedUrl);
  const params = [...url.searchParams.entries()].filter(([k]) => k !== 'X-Goog-Signature');
  const canonicalQuery = params
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const signedHeaders = url.searchParams.get('X-Goog-SignedHeaders')!;
  expect(signedHeaders).toBe('host');
  // The resource path is the URL's path exactly as sent, between host and query.
  const rawPath = /^https:\/\/[^/]+(\/[^?]*)/.exec(signedUrl)![1]!;
  const canonicalRequest = [
    'GET',
    rawPath,
    canonicalQuery,
    `host:${url.host}\n`,
    signedHeaders,
    'UNSIGNED-PAYLOAD',
  ].join('\n');
  const date = url.searchParams.get('X-Goog-Date')!;
  const scope = url.searchParams.get('X-Goog-Credential')!.split('/').slice(1).join('/');
  return ['GOOG4-RSA-SHA256', date, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join(
    '\n',
  );
}

describe('GcsStore signed read URLs (offline)', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const clientEmail = 'scorer@test-project.iam.gserviceaccount.com';
  let savedEmulator: string | undefined;
  let store: GcsStore;

  beforeAll(() => {
    // Signed URLs name the real endpoint; an emulator setting would change the host.
    savedEmulator = process.env.STORAGE_EMULATOR_HOST;
    delete process.env.STORAGE_EMULATOR_HOST;
    store = new GcsStore({
      bucket: 'factory-videos',
      projectId: 'test-project',
      credentials: { client_email: clientEmail, private_key: privateKey },
    });
  });
  afterAll(() => {
    if (savedEmulator !== undefined) process.env.STORAGE_EMULATOR_HOST = savedEmulator;
  });

  const verifies = (signedUrl: string, text = stringToSign(signedUrl)) =>
    verify(
      'RSA-SHA256',
      Buffer.from(text),
      publicKey,
      Buffer.from(new URL(signedUrl).searchParams.get('X-Goog-Signature')!, 'hex'),
    );

  it('signs a V4 read URL that names the bucket and object and verifies with the public key', async () => {
    const before = Date.now();
    const signed = await store.signedReadUrl!('line3/cam01/clip0047.mp4', 900);
    const url = new URL(signed);
    expect(url.protocol).toBe('https:');
    expect(url.host).toBe('storage.googleapis.com');
    expect(url.pathname).toBe('/factory-videos/line3/cam01/clip0047.mp4');
    const q = url.searchParams;
    expect(q.get('X-Goog-Algorithm')).toBe('GOOG4-RSA-SHA256');
    expect(q.get('X-Goog-Expires')).toBe('900');
    expect(q.get('X-Goog-SignedHeaders')).toBe('host');
    const date = q.get('X-Goog-Date')!;
    expect(date).toMatch(/^\d{8}T\d{6}Z$/);
    const signedAt = Date.parse(
      `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`,
    );
    expect(signedAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 1000);
    expect(signedAt).toBeLessThanOrEqual(Date.now());
    expect(q.get('X-Goog-Credential')).toBe(`${clientEmail}/${date.slice(0, 8)}/auto/storage/goog4_request`);
    expect(q.get('X-Goog-Signature')).toMatch(/^[0-9a-f]{512}$/);
    expect(verifies(signed)).toBe(true);
  });

  it('signs over exactly what the URL says: a changed expiry or object does not verify', async () => {
    const signed = await store.signedReadUrl!('a.mp4', 60);
    expect(verifies(signed)).toBe(true);
    expect(verifies(signed.replace('X-Goog-Expires=60', 'X-Goog-Expires=6000'))).toBe(false);
    expect(verifies(signed.replace('/a.mp4', '/b.mp4'))).toBe(false);
  });

  it('encodes keys with spaces, unicode and # into a path that verifies and decodes back', async () => {
    const key = 'line 3/usine Ü/クリップ #7?.mp4';
    const signed = await store.signedReadUrl!(key, 300);
    const url = new URL(signed);
    expect(url.hash).toBe('');
    expect(decodeURIComponent(url.pathname)).toBe(`/factory-videos/${key}`);
    expect(url.searchParams.get('X-Goog-Expires')).toBe('300');
    expect(verifies(signed)).toBe(true);
  });

  it('puts the store prefix into the signed path', async () => {
    const prefixed = new GcsStore({
      bucket: 'factory-videos',
      prefix: 'site-a',
      projectId: 'test-project',
      credentials: { client_email: clientEmail, private_key: privateKey },
    });
    const signed = await prefixed.signedReadUrl!('clip.mp4', 120);
    expect(new URL(signed).pathname).toBe('/factory-videos/site-a/clip.mp4');
    expect(verifies(signed)).toBe(true);
  });

  it('allows seven days at most, and whole positive seconds only', async () => {
    const week = 7 * 24 * 60 * 60;
    const signed = await store.signedReadUrl!('a.mp4', week);
    expect(new URL(signed).searchParams.get('X-Goog-Expires')).toBe(String(week));
    for (const bad of [week + 1, 30 * 24 * 3600, 0, -5, 1.5, Number.NaN]) {
      await expect(store.signedReadUrl!('a.mp4', bad)).rejects.toBeInstanceOf(Invalid);
    }
  });
});

describe('GcsStore signing capability', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const credentials = {
    client_email: 'signer@project.iam.gserviceaccount.com',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };

  it('offers signed URLs on Google Cloud Storage, and to the stores bucket() makes', () => {
    const store = new GcsStore({ bucket: 'app-bucket', credentials });
    expect(store.signedReadUrl).toBeInstanceOf(Function);
    expect(store.bucket('videos-bucket').signedReadUrl).toBeInstanceOf(Function);
  });

  it('offers none against an emulator without a key (nothing to sign with): the server streams instead', () => {
    const store = new GcsStore({ bucket: 'app-bucket', apiEndpoint: 'http://127.0.0.1:1' });
    expect(store.signedReadUrl).toBeUndefined();
    expect(store.bucket('videos-bucket').signedReadUrl).toBeUndefined();
    const keyed = new GcsStore({ bucket: 'app-bucket', apiEndpoint: 'http://127.0.0.1:1', credentials });
    expect(keyed.signedReadUrl).toBeInstanceOf(Function);
  });
});

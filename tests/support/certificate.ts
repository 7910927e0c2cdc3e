/**
 * A self-signed TLS certificate made at run time (with `selfsigned`) for the loopback addresses,
 * as `mkcert localhost 127.0.0.1` would make, for the HTTPS suites.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { generate } from 'selfsigned';

export interface Pems {
  cert: string;
  key: string;
}

export async function loopbackCertificate(): Promise<Pems> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/**
 * The base64 SHA-256 of the certificate's SubjectPublicKeyInfo: what Chromium's
 * `--ignore-certificate-errors-spki-list` takes to treat this one certificate as trusted.
 */
export function spkiFingerprint(cert: string): string {
  const spki = createPublicKey(cert).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

import { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';

/** SimulatorCertificate is a PEM certificate and key plus its SHA-256 fingerprint. */
export interface SimulatorCertificate {
  cert: string;
  key: string;
  /** SHA-256 of the DER certificate in PVE's form: upper-case hex pairs joined by `:`. */
  fingerprint: string;
}

/**
 * generateCertificate creates a self-signed RSA-2048/SHA-256 certificate for `localhost`,
 * `127.0.0.1` and `::1`, valid for two years (like pve-ssl.pem, API.md §2.5).
 */
export async function generateCertificate(): Promise<SimulatorCertificate> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + 730 * 86_400_000);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private, fingerprint: fingerprintOf(pems.cert) };
}

/** fingerprintOf computes the SHA-256 fingerprint of a PEM certificate (`AA:BB:…`). */
export function fingerprintOf(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256.toUpperCase();
}

import { createSecureContext, type SecureContext, type TLSSocket } from 'node:tls';
import { buildConnector } from 'undici';
import { PveInvalidArgumentError, PveTlsError } from './errors.js';

/**
 * TlsPolicy decides which server certificates the client accepts:
 * - `verify`: a certificate chaining to a trusted CA and valid for the host name (default);
 * - `pinned`: exactly the certificate whose SHA-256 is `fingerprint` (self-signed or not, any
 *   host name), as pveproxy itself pins its peers;
 * - `insecure`: any certificate (explicit opt-in only).
 */
export type TlsPolicy =
  | { kind: 'verify' }
  | { kind: 'pinned'; fingerprint: string }
  | { kind: 'insecure' };

/**
 * normalizeFingerprint turns a SHA-256 fingerprint in PVE's `AA:BB:…` form (any case, colons
 * optional) into upper-case colon form; throws PveInvalidArgumentError (`tlsFingerprint`) when
 * it is not 32 bytes of hex.
 */
export function normalizeFingerprint(value: string): string {
  const hex = value.trim().replace(/:/g, '');
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new PveInvalidArgumentError(
      'tlsFingerprint must be a SHA-256 fingerprint (32 hex bytes, AA:BB:… as shown by PVE)',
      'tlsFingerprint',
    );
  }
  return hex.toUpperCase().match(/../g)?.join(':') ?? '';
}

/** TlsConnectorOptions configures createTlsConnector. */
export interface TlsConnectorOptions {
  /** Which certificates to accept. */
  policy: TlsPolicy;
  /** Connect timeout (TCP + TLS handshake) in milliseconds. */
  timeoutMs: number;
  /** Called with the SHA-256 fingerprint of every certificate a server presents, accepted or not. */
  onPeerFingerprint?: (fingerprint: string) => void;
}

/**
 * createTlsConnector builds an undici connector enforcing `policy`. The handshake itself never
 * rejects (so the presented certificate can be read and reported even when it is refused);
 * the decision is taken right after it, before any request byte is sent, and a refused socket
 * is destroyed and reported as PveTlsError with `presentedFingerprint`. TLS sessions are not
 * cached, so every connection is verified on a full handshake (a resumed session presents no
 * certificate to check). All connectors' connections share one TLS context (the default trusted
 * CAs, see sharedSecureContext): pveproxy closes a connection idle for 5 s, so at the default poll
 * interval every poll connects anew, and a context built per connection cost 0.3–0.7 ms more CPU
 * per connection. Plain `http:` connections pass through untouched.
 */
export function createTlsConnector(options: TlsConnectorOptions): buildConnector.connector {
  const base = buildConnector({
    rejectUnauthorized: false,
    timeout: options.timeoutMs,
    maxCachedSessions: 0,
    secureContext: sharedSecureContext(),
  });
  return (connectOptions, callback) => {
    base(connectOptions, (err, socket) => {
      if (err !== null || !isTlsSocket(socket)) {
        if (err !== null) callback(err, null);
        else callback(null, socket);
        return;
      }
      // The X509Certificate view reads the fingerprint alone; getPeerCertificate() would build
      // an object of every field, plus the raw certificate, for every connection.
      const presented = socket.getPeerX509Certificate()?.fingerprint256 || undefined;
      if (presented !== undefined) options.onPeerFingerprint?.(presented);
      const refusal = refuse(options.policy, socket, presented);
      if (refusal === undefined) {
        callback(null, socket);
        return;
      }
      socket.destroy();
      callback(new PveTlsError(refusal, presented), null);
    });
  };
}

let secureContext: SecureContext | undefined;

/**
 * sharedSecureContext is the one TLS context (Node's default trusted CAs, nothing of any
 * cluster's in it: the policy is applied to each socket after its handshake) that every cluster's
 * connections use, created on first use. Each context costs ~60 KiB of native memory (measured:
 * 100 contexts, 5.9 MiB of RSS), which a context per cluster paid once more for every cluster.
 */
export function sharedSecureContext(): SecureContext {
  secureContext ??= createSecureContext();
  return secureContext;
}

function isTlsSocket(socket: unknown): socket is TLSSocket {
  return typeof (socket as Partial<TLSSocket> | null)?.getPeerX509Certificate === 'function';
}

/** refuse returns why the certificate is refused under `policy`, or undefined to accept it. */
function refuse(
  policy: TlsPolicy,
  socket: TLSSocket,
  presented: string | undefined,
): string | undefined {
  const shown = presented ?? 'none';
  switch (policy.kind) {
    case 'insecure':
      return undefined;
    case 'pinned':
      return presented === policy.fingerprint
        ? undefined
        : `TLS certificate fingerprint mismatch: server presented ${shown}, pinned ${policy.fingerprint}`;
    case 'verify':
      return socket.authorized
        ? undefined
        : `TLS certificate not trusted (${String(socket.authorizationError)}); the server presented SHA-256 fingerprint ${shown} — pin it with tlsFingerprint if it is the PVE node's certificate`;
  }
}

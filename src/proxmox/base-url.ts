import { PveInvalidArgumentError } from './errors.js';

/**
 * ApiBase is where the PVE API lives: `origin` (`https://host:8006`) and `apiRoot`, the path
 * prefix every API path is appended to (`/api2/json`, or `/pve/api2/json` behind a reverse
 * proxy that serves PVE under `/pve`).
 */
export interface ApiBase {
  origin: string;
  apiRoot: string;
  protocol: 'https:' | 'http:';
}

/**
 * parseBaseUrl reads the cluster URL users give: `https://host:8006`, with or without a
 * trailing `/` or `/api2/json`. `http:` is accepted (simulators, TLS-terminating proxies).
 * Throws PveInvalidArgumentError (argument `baseUrl`) for anything else, including URLs with
 * credentials, a query or a fragment.
 */
export function parseBaseUrl(baseUrl: string): ApiBase {
  let url: URL;
  try {
    url = new URL(baseUrl.trim());
  } catch {
    throw new PveInvalidArgumentError(
      'baseUrl is not a URL (expected https://host:8006)',
      'baseUrl',
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new PveInvalidArgumentError('baseUrl must use https: (or http:)', 'baseUrl');
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new PveInvalidArgumentError(
      'baseUrl must not carry credentials, a query or a fragment',
      'baseUrl',
    );
  }
  const prefix = url.pathname.replace(/\/+$/, '').replace(/\/api2\/json$/, '');
  return { origin: url.origin, apiRoot: `${prefix}/api2/json`, protocol: url.protocol };
}

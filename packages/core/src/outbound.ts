// Where we let tenants make us send requests (webhooks, Slack): public HTTPS hosts only, so no tenant can reach our own network.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { AppError } from './errors.ts';

export class OutboundUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboundUrlError';
  }
}

const v4 = (ip: string) => ip.split('.').map(Number) as [number, number, number, number];

/** Loopback, private, link-local (cloud metadata), carrier-grade NAT, unspecified, multicast and reserved. */
export function isPrivateAddress(ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  if (mapped) return isPrivateAddress(mapped);
  if (isIP(ip) === 4) {
    const [a, b] = v4(ip);
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 198 && (b === 18 || b === 19)) ||
      a >= 224
    );
  }
  const lower = ip.toLowerCase();
  return (
    lower === '::' ||
    lower === '::1' ||
    /^f[cd]/.test(lower) || // unique local fc00::/7
    /^fe[89ab]/.test(lower) || // link-local fe80::/10
    /^ff/.test(lower) // multicast
  );
}

/**
 * Throws OutboundUrlError unless the URL is https and every address its host resolves to is public.
 * `allowPrivate` (development and tests) accepts http and any host. Checked when the URL is saved and
 * again before each request, since DNS can change in between.
 */
export async function assertPublicUrl(raw: string, allowPrivate: boolean): Promise<void> {
  const url = new URL(raw);
  if (allowPrivate) {
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new OutboundUrlError('must be an http(s) URL');
    return;
  }
  if (url.protocol !== 'https:') throw new OutboundUrlError('must be an https URL');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host)
    ? [host]
    : await lookup(host, { all: true, verbatim: true }).then(
        (found) => found.map((a) => a.address),
        () => {
          throw new OutboundUrlError(`host ${host} does not resolve`);
        },
      );
  if (addresses.some(isPrivateAddress)) {
    throw new OutboundUrlError(`host ${host} is a private or local address; only public hosts are allowed`);
  }
}

/** The API's side of the rule: a URL that may not be used is a 400 naming the field. */
export async function requirePublicUrl(url: string, field: string, allowPrivate: boolean): Promise<void> {
  try {
    await assertPublicUrl(url, allowPrivate);
  } catch (err) {
    if (err instanceof OutboundUrlError) throw AppError.validation([{ field, message: err.message }]);
    throw err;
  }
}

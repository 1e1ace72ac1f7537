// Which store failures mean "the database cannot be reached right now" (PostgreSQL down, restarting, network
// gone) rather than a bug: the API answers those with 503 ServiceUnavailable, which the SDKs and Terraform retry,
// and health reports them, until the pool reconnects by itself on the next query.

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

// pg's own messages for a connection that died or never came up; they carry no code.
const PG_CONNECTION_MESSAGES = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable/i;

export function isStoreUnavailable(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { code, message, errors } = e as { code?: unknown; message?: unknown; errors?: unknown };
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code)) return true;
    // SQLSTATE class 08 (connection exception) and 57P01-57P03 (admin/crash shutdown, cannot connect now).
    if (/^08[0-9A-Z]{3}$/.test(code) || /^57P0[123]$/.test(code)) return true;
  }
  // Node reports a refused connection to a host with several addresses as an AggregateError of them.
  if (Array.isArray(errors) && errors.length > 0 && errors.every(isStoreUnavailable)) return true;
  return typeof message === 'string' && PG_CONNECTION_MESSAGES.test(message);
}

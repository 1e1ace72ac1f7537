// Whitelist entries (IPv4 or IPv4/CIDR): parse and match. Pure functions.
// The listeners use them to admit connections.
import { ipToNumber } from '../domain/ipv4.js';

export interface WhitelistEntry {
  /** The entry as given, trimmed. */
  text: string;
  /** Network address as an unsigned 32-bit number, host bits already cleared. */
  network: number;
  /** Prefix length 0..32; a bare address is /32. */
  prefix: number;
  /**
   * True for the bare entry 127.0.0.1. The real service puts it in every new whitelist to mean "no address is
   * allowed", so it must not admit local clients; 127.0.0.1/32 or 127.0.0.0/8 still do.
   */
  matchesNothing: boolean;
}

const PREFIX = /^(?:0|[1-9][0-9]?)$/;

/** Dotted-quad IPv4 to an unsigned 32-bit number (leading zeros refused: inet_aton would read them as octal). */
export const parseIPv4 = ipToNumber;

function maskOf(prefix: number): number {
  // A shift by 32 is a shift by 0 in JavaScript, so /0 needs its own case.
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/**
 * Parses "a.b.c.d" or "a.b.c.d/n". Host bits under the mask are accepted and cleared (the console accepts
 * 10.23.12.24/24 as 10.23.12.0/24). Returns undefined for anything else, IPv6 included.
 */
export function parseWhitelistEntry(text: string): WhitelistEntry | undefined {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const addressText = slash === -1 ? trimmed : trimmed.slice(0, slash);
  const address = parseIPv4(addressText);
  if (address === undefined) return undefined;
  let prefix = 32;
  if (slash !== -1) {
    const prefixText = trimmed.slice(slash + 1);
    if (!PREFIX.test(prefixText)) return undefined;
    prefix = Number(prefixText);
    if (prefix > 32) return undefined;
  }
  return {
    text: trimmed,
    network: (address & maskOf(prefix)) >>> 0,
    prefix,
    matchesNothing: slash === -1 && addressText === '127.0.0.1',
  };
}

/** Socket addresses of IPv4 clients on dual-stack sockets arrive as ::ffff:a.b.c.d. */
export function normaliseRemoteAddress(address: string): string {
  const lower = address.toLowerCase();
  return lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice(7) : address;
}

function entryMatches(entry: WhitelistEntry, address: number | undefined): boolean {
  if (entry.matchesNothing) return false;
  // 0.0.0.0/0 is "everyone", whatever the address family.
  if (entry.prefix === 0) return true;
  if (address === undefined) return false;
  return ((address & maskOf(entry.prefix)) >>> 0) === entry.network;
}

/** Parses the entries once and returns a matcher; unparseable entries admit nobody. */
export function compileWhitelist(entries: readonly string[]): (address: string) => boolean {
  const parsed: WhitelistEntry[] = [];
  for (const text of entries) {
    const entry = parseWhitelistEntry(text);
    if (entry) parsed.push(entry);
  }
  return (address: string) => {
    const numeric = parseIPv4(normaliseRemoteAddress(address));
    return parsed.some((entry) => entryMatches(entry, numeric));
  };
}

/** True when the (possibly ::ffff:-mapped) client address is admitted by any of the entries. */
export function matchesWhitelist(address: string, entries: readonly string[]): boolean {
  return compileWhitelist(entries)(address);
}

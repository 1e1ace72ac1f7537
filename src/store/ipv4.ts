// Dotted IPv4 <-> unsigned 32-bit number for the address pool (stored as address_num so SQL can find gaps).
// Throwing wrappers over the domain's parser: a malformed address here is a bug, not user input.
import { ipToNumber, numberToIp } from '../domain/ipv4.js';

export function ipv4ToNumber(address: string): number {
  const n = ipToNumber(address);
  if (n === undefined) throw new Error(`not an IPv4 address: ${address}`);
  return n;
}

export function numberToIpv4(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`not an IPv4 number: ${n}`);
  return numberToIp(n);
}

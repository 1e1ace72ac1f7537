// Builds the DNS answer for one query message, independent of transport (UDP or TCP).
// localrds is authoritative for the connection strings it hands out and knows nothing else, so it never
// recurses: known name -> its address, unknown name -> NXDOMAIN.

import net from 'node:net';
import * as dnsPacket from 'dns-packet';

/** Resolves a lower-cased name without trailing dot to an IPv4 address, or undefined when unknown. */
export type NameResolver = (name: string) => Promise<string | undefined>;

/** Short, so that a moved or released endpoint stops resolving to its old address within seconds. */
export const ANSWER_TTL_SECONDS = 5;

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4 } as const;

export function normaliseDnsName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function reply(query: dnsPacket.DecodedPacket, rcode: number, answers: dnsPacket.Answer[] = []): Buffer {
  // dns-packet carries the RCODE in the low four bits of `flags`.
  const flags = dnsPacket.AUTHORITATIVE_ANSWER | ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED) | rcode;
  return dnsPacket.encode({
    type: 'response',
    id: query.id ?? 0,
    flags,
    questions: query.questions ?? [],
    answers,
  });
}

/**
 * The encoded response, or undefined when the message must be dropped: not decodable, or not a query (answering
 * responses could start a loop between two servers).
 */
export async function answerDnsQuery(message: Buffer, resolve: NameResolver): Promise<Buffer | undefined> {
  let query: dnsPacket.DecodedPacket;
  try {
    query = dnsPacket.decode(message);
  } catch {
    return undefined;
  }
  if (query.type !== 'query') return undefined;
  try {
    // `opcode` is decoded but missing from the type declarations.
    const opcode = (query as dnsPacket.DecodedPacket & { opcode?: string }).opcode;
    if (opcode !== 'QUERY') return reply(query, RCODE.NOTIMP);
    const question = query.questions?.[0];
    if (!question) return reply(query, RCODE.FORMERR);

    let address: string | undefined;
    try {
      address = await resolve(normaliseDnsName(question.name));
    } catch {
      return reply(query, RCODE.SERVFAIL);
    }
    if (address === undefined || !net.isIPv4(address)) return reply(query, RCODE.NXDOMAIN);
    // A known name asked for another type (AAAA, MX...) exists but has no such record: NOERROR, no answers.
    // Widened: the declarations omit ANY, which arrives as a string all the same.
    const type: string = question.type;
    if (type !== 'A' && type !== 'ANY') return reply(query, RCODE.NOERROR);
    return reply(query, RCODE.NOERROR, [
      { type: 'A', class: 'IN', name: question.name, ttl: ANSWER_TTL_SECONDS, data: address },
    ]);
  } catch {
    // Encoding can still fail on odd input (a question name that cannot be re-encoded): drop it.
    return undefined;
  }
}

// The data plane's public surface: the reconciler, the DNS server, hosts-file lines and whitelist rules.

export { createDataPlane } from './data-plane.js';
export { startDnsServer, type DnsServer, type DnsServerOptions } from './dns-server.js';
export { answerDnsQuery, ANSWER_TTL_SECONDS, type NameResolver } from './dns-answer.js';
export { formatHostsLines } from './hosts.js';
export { createStaticDesiredState, type StaticDesiredState } from './static-desired-state.js';
export {
  compileWhitelist,
  matchesWhitelist,
  normaliseRemoteAddress,
  parseIPv4,
  parseWhitelistEntry,
  type WhitelistEntry,
} from './whitelist.js';
export type * from './types.js';

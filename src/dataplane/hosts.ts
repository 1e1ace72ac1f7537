// /etc/hosts lines for the endpoints: the alternative to the DNS server for machines where pointing the
// resolver at localrds is not possible. Output is deterministic (sorted, no timestamp) so it can be diffed.

import type { EndpointRecord } from '../domain/types.js';

const HEADER = [
  '# localrds RDS endpoints: each connection string on the loopback address it listens on.',
  '# Append to /etc/hosts (or use the localrds DNS server instead). Generated; edits are lost on regeneration.',
];

export function formatHostsLines(endpoints: readonly EndpointRecord[]): string {
  const sorted = [...endpoints].sort((a, b) =>
    a.connectionString < b.connectionString ? -1 : a.connectionString > b.connectionString ? 1 : 0,
  );
  const lines = sorted.map((endpoint) => `${endpoint.address}\t${endpoint.connectionString}`);
  return [...HEADER, ...lines].join('\n') + '\n';
}

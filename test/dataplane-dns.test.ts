// DNS server over real UDP and TCP sockets: a hand-written dns-packet client for both transports, and node's
// own resolver (c-ares) pointed at the server.

import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as dnsPacket from 'dns-packet';
import { startDnsServer, type DnsServer } from '../src/dataplane/dns-server.js';

const NAMES = new Map([['rm-dns1.mysql.rds.localrds.test', '127.77.50.1']]);
const KNOWN = 'rm-dns1.mysql.rds.localrds.test';

type Reply = dnsPacket.DecodedPacket & { rcode?: string };

let server: DnsServer;
const asked: string[] = [];

before(async () => {
  server = await startDnsServer({
    host: '127.0.0.1',
    port: 0,
    resolve: async (name) => {
      asked.push(name);
      if (name === 'boom.localrds.test') throw new Error('store down');
      return NAMES.get(name);
    },
  });
});

after(async () => {
  await server.close();
});

function query(name: string, type: 'A' | 'AAAA' = 'A', id = 4242): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name, class: 'IN' }],
  });
}

/** Sends one datagram; resolves with the decoded reply, or undefined when none came within `waitMs`. */
function udpAsk(message: Buffer, waitMs = 1000): Promise<Reply | undefined> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      resolve(undefined);
    }, waitMs);
    socket.once('message', (data) => {
      clearTimeout(timer);
      socket.close();
      resolve(dnsPacket.decode(data) as Reply);
    });
    socket.once('error', reject);
    socket.send(message, server.port, '127.0.0.1');
  });
}

function frame(message: Buffer): Buffer {
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(message.length);
  return Buffer.concat([prefix, message]);
}

/** Writes raw bytes on one TCP connection and collects `count` length-prefixed replies. */
function tcpAsk(bytes: Buffer, count: number): Promise<Reply[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port: server.port });
    let buffered = Buffer.alloc(0);
    const replies: Reply[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`got ${replies.length} of ${count} TCP replies`));
    }, 2000);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const length = buffered.readUInt16BE(0);
        replies.push(dnsPacket.decode(buffered.subarray(2, 2 + length)) as Reply);
        buffered = buffered.subarray(2 + length);
      }
      if (replies.length === count) {
        clearTimeout(timer);
        socket.end();
        resolve(replies);
      }
    });
    socket.on('error', reject);
    socket.write(bytes);
  });
}

describe('dns server over UDP', () => {
  it('reported a real port', () => {
    assert.ok(server.port > 0);
  });

  it('answers A for a known name: one record, TTL 5, authoritative, id echoed', async () => {
    const reply = await udpAsk(query(KNOWN));
    assert.ok(reply);
    assert.equal(reply.id, 4242);
    assert.equal(reply.rcode, 'NOERROR');
    assert.equal(reply.flag_aa, true);
    assert.equal(reply.answers?.length, 1);
    const answer = reply.answers?.[0];
    assert.equal(answer?.type, 'A');
    assert.equal(answer?.ttl, 5);
    assert.equal(answer?.type === 'A' ? answer.data : undefined, '127.77.50.1');
  });

  it('is case-insensitive and tolerates a trailing dot', async () => {
    const reply = await udpAsk(query('RM-DNS1.MySQL.rds.LOCALRDS.test.'));
    assert.equal(reply?.rcode, 'NOERROR');
    const answer = reply?.answers?.[0];
    assert.equal(answer?.type === 'A' ? answer.data : undefined, '127.77.50.1');
    assert.equal(asked.at(-1), KNOWN);
  });

  it('answers NXDOMAIN for an unknown name', async () => {
    const reply = await udpAsk(query('rm-nope.mysql.rds.localrds.test'));
    assert.equal(reply?.rcode, 'NXDOMAIN');
    assert.equal(reply?.answers?.length, 0);
  });

  it('answers NOERROR with no records for AAAA of a known name', async () => {
    const reply = await udpAsk(query(KNOWN, 'AAAA'));
    assert.equal(reply?.rcode, 'NOERROR');
    assert.equal(reply?.answers?.length, 0);
  });

  it('answers SERVFAIL when the resolver throws', async () => {
    const reply = await udpAsk(query('boom.localrds.test'));
    assert.equal(reply?.rcode, 'SERVFAIL');
  });

  it('ignores malformed packets and responses, and keeps answering', async () => {
    assert.equal(await udpAsk(Buffer.from('definitely not dns'), 300), undefined);
    assert.equal(await udpAsk(Buffer.alloc(0), 300), undefined);
    const truncated = query(KNOWN).subarray(0, 20);
    assert.equal(await udpAsk(truncated, 300), undefined);
    const response = dnsPacket.encode({ type: 'response', id: 1, questions: [{ type: 'A', name: KNOWN }] });
    assert.equal(await udpAsk(response, 300), undefined);
    assert.equal((await udpAsk(query(KNOWN)))?.rcode, 'NOERROR');
  });
});

describe('dns server over TCP', () => {
  it('answers pipelined queries on one connection, skipping a malformed one', async () => {
    const bytes = Buffer.concat([
      frame(query(KNOWN, 'A', 1)),
      frame(Buffer.from('garbage!')),
      frame(query('unknown.localrds.test', 'A', 2)),
    ]);
    const replies = await tcpAsk(bytes, 2);
    const byId = new Map(replies.map((r) => [r.id, r]));
    const first = byId.get(1)?.answers?.[0];
    assert.equal(first?.type === 'A' ? first.data : undefined, '127.77.50.1');
    assert.equal(byId.get(2)?.rcode, 'NXDOMAIN');
  });

  it('reassembles a message split across writes', async () => {
    const framed = frame(query(KNOWN, 'A', 7));
    const replies = await new Promise<Reply[]>((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port: server.port });
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        socket.end();
        resolve([dnsPacket.decode(chunk.subarray(2)) as Reply]);
      });
      socket.write(framed.subarray(0, 5));
      setTimeout(() => socket.write(framed.subarray(5)), 50);
    });
    assert.equal(replies[0]?.id, 7);
    assert.equal(replies[0]?.rcode, 'NOERROR');
  });
});

describe("node's resolver against the server", () => {
  const resolver = new Resolver({ timeout: 1000, tries: 1 });
  before(() => resolver.setServers([`127.0.0.1:${server.port}`]));

  it('resolve4 returns the address with its TTL', async () => {
    assert.deepEqual(await resolver.resolve4(KNOWN), ['127.77.50.1']);
    assert.deepEqual(await resolver.resolve4(KNOWN, { ttl: true }), [{ address: '127.77.50.1', ttl: 5 }]);
  });

  it('resolve4 of an unknown name fails with ENOTFOUND', async () => {
    await assert.rejects(resolver.resolve4('rm-missing.mysql.rds.localrds.test'), { code: 'ENOTFOUND' });
  });
});

// Service configuration shared by handlers, the data plane and the HTTP layer. Built by the CLI.
import { parseCidr, type Cidr } from './domain/ipv4.js';
import type { Engine } from './domain/types.js';

export interface ServiceConfig {
  /** Connection strings end in .<engine>.<domain>, e.g. rm-xxx.mysql.rds.aliyuncs.com */
  domain: string;
  /** HostId in error bodies. */
  hostId: string;
  publicPool: Cidr;
  privatePool: Cidr;
  /** How long a released address stays out of the pool. */
  quarantineMs: number;
  /** How long Creating lasts after CreateDBInstance (0: until the internal listener is up). */
  createMs: number;
  /** How long DBInstanceNetTypeChanging lasts after a network change (0: until the listener change is done). */
  netChangeMs: number;
  /** How many instances may have a server of their own (--max-instances); 0: no bound. */
  maxInstances: number;
  /** Engines whose instances each get a server process (per-instance mode): what maxInstances counts. */
  serverEngines: readonly Engine[];
  /** How long DBInstanceClassChanging lasts after ModifyDBInstanceSpec (0: settled as soon as the call returns). */
  specChangeMs: number;
  /** This node's id (--node-id), the owner it places instances on when it is alone. */
  nodeId: string;
  /** Several nodes may share the store (PostgreSQL): placement looks at the nodes table, pools are the owner's. */
  clustered: boolean;
}

export const DEFAULT_PUBLIC_POOL = '127.64.0.0/16';
export const DEFAULT_PRIVATE_POOL = '127.32.0.0/16';

export function defaultServiceConfig(over: Partial<ServiceConfig> = {}): ServiceConfig {
  return {
    domain: 'rds.aliyuncs.com',
    hostId: 'rds.aliyuncs.com',
    publicPool: mustCidr(DEFAULT_PUBLIC_POOL),
    privatePool: mustCidr(DEFAULT_PRIVATE_POOL),
    quarantineMs: 60_000,
    createMs: 0,
    netChangeMs: 0,
    maxInstances: 0,
    serverEngines: [],
    specChangeMs: 0,
    nodeId: 'local',
    clustered: false,
    ...over,
  };
}

export function mustCidr(s: string): Cidr {
  const c = parseCidr(s);
  if (!c || c.bits > 30) throw new Error(`not a usable IPv4 CIDR block (at most /30): ${s}`);
  return c;
}

// The account and database operations through the official @alicloud/rds20140815 client (V3, HTTP), as a small
// typed surface for the tests: each call returns the response body with the wire names the server sent.
import assert from 'node:assert/strict';
import { rdsClient, req, type Creds } from './clients.js';
import type { TestServer } from './localrds.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
export interface InsideApi {
  createInstance(engine: 'MySQL' | 'PostgreSQL' | 'MariaDB' | 'SQLServer', over?: Record<string, unknown>): Promise<string>;
  waitRunning(id: string): Promise<void>;
  call(action: string, fields: Record<string, unknown>): Promise<any>;
  /** Runs the call, expects an SDK error; returns [code, HTTP status]. */
  fails(action: string, fields: Record<string, unknown>): Promise<[string, number]>;
}

const VERSIONS = { MySQL: '8.0', PostgreSQL: '16.0', MariaDB: '10.6', SQLServer: '2019_std_ha' } as const;

/** readTimeoutMs: the SDK's default of 3 s is too short for the first instance server (its template is built then). */
export function insideApi(s: TestServer, creds: Creds = s.credentials, o: { readTimeoutMs?: number } = {}): InsideApi {
  const client = rdsClient(s.endpoint, creds, { protocol: 'http', readTimeoutMs: o.readTimeoutMs });
  const call = async (action: string, fields: Record<string, unknown>) => {
    const method = action[0]?.toLowerCase() + action.slice(1);
    const res = await client[method](req(action, fields));
    // The SDK maps the wire body onto its model; toMap() gives the wire names back.
    return res.body.toMap();
  };
  const api: InsideApi = {
    call,
    async createInstance(engine, over = {}) {
      const body = await call('CreateDBInstance', {
        regionId: 'cn-hangzhou', engine, engineVersion: VERSIONS[engine], DBInstanceClass: 'x.n2.medium.1', DBInstanceStorage: 20,
        DBInstanceNetType: 'Intranet', payType: 'Postpaid', securityIPList: '0.0.0.0/0', ...over,
      });
      await api.waitRunning(body.DBInstanceId);
      return body.DBInstanceId as string;
    },
    async waitRunning(id) {
      for (let i = 0; i < 200; i++) {
        const attr = await call('DescribeDBInstanceAttribute', { DBInstanceId: id });
        if (attr.Items.DBInstanceAttribute[0].DBInstanceStatus === 'Running') return;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`${id} never reached Running`);
    },
    async fails(action, fields) {
      try {
        await call(action, fields);
      } catch (e) {
        const err = e as { name: string; code: string; statusCode: number; data?: Record<string, unknown> };
        assert.ok(['ClientError', 'ServerError'].includes(err.name), `SDK error class, got ${err.name}: ${String(e)}`);
        // Well-formed: RequestId and HostId come with every error.
        assert.match(String(err.data?.RequestId), /^[0-9A-F-]{36}$/);
        assert.equal(err.data?.HostId, 'rds.aliyuncs.com');
        return [err.code, err.statusCode];
      }
      throw new Error(`${action} was expected to fail`);
    },
  };
  return api;
}

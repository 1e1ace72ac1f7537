// The official Alibaba Cloud Node clients, configured for a localrds endpoint (and nothing else changed).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/* eslint-disable @typescript-eslint/no-explicit-any */
export const rdsModule = require('@alicloud/rds20140815') as any;
export const openapiCore = require('@alicloud/openapi-core') as any;
export const openapiClient = require('@alicloud/openapi-client') as any;
export const popCore = require('@alicloud/pop-core') as any;
export const teaUtil = require('@alicloud/tea-util') as any;

export interface Creds { accessKeyId: string; accessKeySecret: string }

/** @alicloud/rds20140815: V3 by default, V1 with signatureAlgorithm 'v2'. protocol undefined = the SDK's HTTPS default. */
export function rdsClient(endpoint: string, c: Creds, o: { v1?: boolean; protocol?: 'http' | 'https'; readTimeoutMs?: number } = {}): any {
  const config = new openapiCore.$OpenApiUtil.Config({
    accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, endpoint,
    ...(o.protocol ? { protocol: o.protocol } : {}),
    ...(o.readTimeoutMs ? { readTimeout: o.readTimeoutMs, connectTimeout: o.readTimeoutMs } : {}),
    ...(o.v1 ? { signatureAlgorithm: 'v2' } : {}),
  });
  return new rdsModule.default(config);
}

export function req(name: string, fields: Record<string, unknown>): any {
  const Model = rdsModule[`${name}Request`];
  if (!Model) throw new Error(`no model ${name}Request`);
  return new Model(fields);
}

/** @alicloud/pop-core RPCClient (V1; GET by default, POST on request). */
export function popClient(endpoint: string, c: Creds): any {
  const RPCClient = popCore.RPCClient ?? popCore;
  return new RPCClient({ accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, endpoint: `http://${endpoint}`, apiVersion: '2014-08-15' });
}

/** @alicloud/openapi-client callApi with the parameters in a form body. */
export async function callApiForm(endpoint: string, c: Creds, action: string, body: Record<string, string>, o: { v1?: boolean } = {}): Promise<any> {
  const OpenApi = openapiClient.default;
  const client = new OpenApi(new openapiClient.Config({
    accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, endpoint, protocol: 'http',
    ...(o.v1 ? { signatureAlgorithm: 'v2' } : {}),
  }));
  const params = new openapiClient.Params({
    action, version: '2014-08-15', protocol: 'HTTP', pathname: '/', method: 'POST', authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json',
  });
  const request = new openapiClient.OpenApiRequest({ body });
  return client.callApi(params, request, new teaUtil.RuntimeOptions({}));
}

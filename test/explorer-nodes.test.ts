// The explorer's live view with two nodes over one PostgreSQL schema (issue 13), in headless Chromium: the page
// served by node a lists both nodes, badges each instance with the node that serves it, shows the instance node a
// serves as listening and the one node b serves as served elsewhere (never as closed), and after a release made
// from the page through node a for node b's instance, the endpoint is gone on node b too.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { rdsClient, req } from './helpers/clients.js';
import { newCluster, until, type Cluster } from './helpers/cluster.js';
import { connectOutcome } from './helpers/ports.js';
import type { TestServer } from './helpers/localrds.js';

const CHROMIUM = process.env.LOCALRDS_CHROMIUM ?? '/usr/bin/chromium';
const SHARED = { mysql: { host: '127.0.0.1', port: 3306 } };
const MYSQL = { regionId: 'cn-hangzhou', engine: 'MySQL', engineVersion: '8.0', DBInstanceClass: 'mysql.n2.medium.1', DBInstanceStorage: 20, DBInstanceNetType: 'Intranet', payType: 'Postpaid', securityIPList: '0.0.0.0/0' };

let cluster: Cluster;
let a: TestServer;
let b: TestServer;
let browser: Browser;

before(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install -y chromium); this test does not skip.`);
  cluster = newCluster();
  a = await cluster.start('node-a', 1, { zoneId: 'cn-hangzhou-h', backends: SHARED });
  b = await cluster.start('node-b', 2, { zoneId: 'cn-hangzhou-i', backends: SHARED });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await b?.stop();
  await a?.stop();
  await cluster?.drop();
});

test('the live view says which node serves what', { timeout: 120_000 }, async () => {
  const c = rdsClient(a.endpoint, a.credentials, { protocol: 'http' });
  const create = async (zoneId: string) => (await c.createDBInstance(req('CreateDBInstance', { ...MYSQL, zoneId }))).body.DBInstanceId as string;
  const status = async (id: string) => (await c.describeDBInstanceAttribute(req('DescribeDBInstanceAttribute', { DBInstanceId: id }))).body.items.DBInstanceAttribute[0].DBInstanceStatus as string;
  const onA = await create('cn-hangzhou-h');
  const onB = await create('cn-hangzhou-i');
  await until(async () => (await status(onA)) === 'Running' && (await status(onB)) === 'Running', 30_000, 'both instances Running');
  const publicCs = (await c.allocateInstancePublicConnection(req('AllocateInstancePublicConnection', { DBInstanceId: onB, connectionStringPrefix: 'nodesview', port: '3306' }))).body.connectionString as string;
  await until(async () => (await status(onB)) === 'Running', 30_000, 'Running after the allocation');
  const nets = (await c.describeDBInstanceNetInfo(req('DescribeDBInstanceNetInfo', { DBInstanceId: onB }))).body.DBInstanceNetInfos.DBInstanceNetInfo as Array<{ IPType: string; IPAddress: string; port: string }>;
  const pub = nets.find((e) => e.IPType === 'Public');
  assert.ok(pub);
  assert.equal(await connectOutcome(pub.IPAddress, Number(pub.port)), 'connected', 'node b serves the public endpoint');

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript((creds) => {
    localStorage.setItem('localrds.explorer.settings', JSON.stringify({ ...creds, scheme: 'V3', regionId: 'cn-hangzhou' }));
  }, a.credentials);
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('dialog', (d) => void d.accept());
  await page.goto(`${a.url}/explorer/#live`);
  await page.getByRole('heading', { level: 1, name: 'Live view' }).waitFor();

  // Both nodes, and which one answers this page.
  const nodes = page.locator('p.nodes');
  await nodes.waitFor({ timeout: 15_000 });
  const line = await nodes.innerText();
  assert.match(line, /node-a live \(zone cn-hangzhou-h\) \(answering this page\)/);
  assert.match(line, /node-b live \(zone cn-hangzhou-i\)/);
  // Each instance carries the node that serves it.
  await page.locator(`article[data-instance="${onA}"] [data-node="node-a"]`).waitFor({ timeout: 15_000 });
  await page.locator(`article[data-instance="${onB}"] [data-node="node-b"]`).waitFor({ timeout: 15_000 });
  // Node a's own endpoints are listening; node b's public endpoint is served elsewhere, not closed.
  await page.locator(`article[data-instance="${onA}"] tr[data-state="listening"]`).first().waitFor({ timeout: 15_000 });
  const row = page.locator(`tr[data-endpoint="${publicCs}"]`);
  await row.and(page.locator('[data-state="elsewhere"]')).waitFor({ timeout: 15_000 });
  assert.match(await row.innerText(), /served by node node-b; this page asks node node-a/);

  // Release it from the page (through node a): node b's door is shut.
  await row.getByRole('button', { name: /Release/ }).click();
  await page.locator(`tr[data-endpoint="${publicCs}"]`).filter({ hasText: /released/ }).first().waitFor({ timeout: 20_000 });
  assert.equal(await connectOutcome(pub.IPAddress, Number(pub.port)), 'ECONNREFUSED', 'node b no longer listens');
  assert.deepEqual(pageErrors, []);
  await context.close();
});

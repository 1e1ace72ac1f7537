// The explorer in a real browser (headless Chromium driven by playwright-core) against a real server with a
// MariaDB backend: an instance with a public endpoint and an open session through it; the explorer finds
// ReleaseInstancePublicConnection by search, calls it (signed in the page), shows the RequestId, and the live
// view shows the endpoint closed while the session is cut. Also: V1 signing, the error center anchor, the
// copy button carrying the generated sample, and a narrow screen.
// Screenshots go to test-artifacts/explorer/; with UPDATE_DOCS_SCREENSHOT=1 (or when it is missing) the call
// result is also copied to docs/explorer.png for the README.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildCatalogueDoc } from '../src/explorer/catalogue-json.js';
import { generateSample } from '../src/explorer/samples.js';
import { rdsClient, req } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/localrds.js';

const CHROMIUM = process.env.LOCALRDS_CHROMIUM ?? '/usr/bin/chromium';
const ROOT = resolve(import.meta.dirname, '../..');
const SHOTS = join(ROOT, 'test-artifacts', 'explorer');
const DOCS_SHOT = join(ROOT, 'docs', 'explorer.png');
const MARIADB = { host: '127.0.0.1', port: 3306 };

let s: TestServer;
let browser: Browser;
let instanceId: string;
let publicCs: string;
let publicAddress: { host: string; port: number };

async function waitRunning(c: ReturnType<typeof rdsClient>, id: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const st = (await c.describeDBInstanceAttribute(req('DescribeDBInstanceAttribute', { DBInstanceId: id }))).body.items.DBInstanceAttribute[0].DBInstanceStatus;
    if (st === 'Running') return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('instance never reached Running');
}

before(async () => {
  // CI installs Chromium; a machine without it must fail loudly rather than skip.
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}. Install it (apt-get install -y chromium) or set LOCALRDS_CHROMIUM; this test does not skip.`);
  }
  mkdirSync(SHOTS, { recursive: true });
  s = await startTestServer({ backends: { mysql: MARIADB } });
  const c = rdsClient(s.endpoint, s.credentials, { protocol: 'http' });
  instanceId = (await c.createDBInstance(req('CreateDBInstance', {
    regionId: 'cn-hangzhou', engine: 'MySQL', engineVersion: '8.0', DBInstanceClass: 'mysql.n2.medium.1', DBInstanceStorage: 20,
    DBInstanceNetType: 'Intranet', payType: 'Postpaid', securityIPList: '0.0.0.0/0', DBInstanceDescription: 'explorer demo',
  }))).body.DBInstanceId as string;
  await waitRunning(c, instanceId);
  publicCs = (await c.allocateInstancePublicConnection(req('AllocateInstancePublicConnection', {
    DBInstanceId: instanceId, connectionStringPrefix: 'explorerdemo', port: '3306',
  }))).body.connectionString as string;
  await waitRunning(c, instanceId);
  const nets = (await c.describeDBInstanceNetInfo(req('DescribeDBInstanceNetInfo', { DBInstanceId: instanceId }))).body.DBInstanceNetInfos.DBInstanceNetInfo as Array<{ IPType: string; IPAddress: string; port: string }>;
  const pub = nets.find((e) => e.IPType === 'Public');
  assert.ok(pub);
  publicAddress = { host: pub.IPAddress, port: Number(pub.port) };
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await s?.stop();
});

/** A client session through the public endpoint, proxied to MariaDB (whose greeting proves the path). */
function openSession(): Promise<{ socket: net.Socket; closed: Promise<void> }> {
  return new Promise((resolveSession, reject) => {
    const socket = net.connect(publicAddress);
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.once('error', () => { /* the release cuts it; 'close' follows */ });
    socket.once('data', () => resolveSession({ socket, closed }));
    socket.once('close', () => reject(new Error(`session through ${publicAddress.host}:${publicAddress.port} closed before the MariaDB greeting (is MariaDB on 127.0.0.1:3306?)`)));
  });
}

async function within<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(message)), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

async function shot(page: Page, name: string, fullPage = false): Promise<string> {
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

test('release a public endpoint from the explorer and watch it close', { timeout: 90_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: s.url });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));

  await page.goto(`${s.url}/explorer/`);
  await page.getByRole('heading', { level: 1, name: 'localrds API explorer' }).waitFor();

  // Credentials: typed into the panel, remembered by the browser.
  await page.getByText('Credentials', { exact: true }).click();
  await page.getByLabel('AccessKey ID').fill(s.credentials.accessKeyId);
  await page.getByLabel('AccessKey secret').fill(s.credentials.accessKeySecret);
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Credentials', { exact: true }).click();
  const stored = await page.evaluate(() => localStorage.getItem('localrds.explorer.settings'));
  assert.match(String(stored), new RegExp(s.credentials.accessKeyId));

  // The live view sees the public endpoint listening, with our session open through it.
  const session = await openSession();
  await page.getByRole('link', { name: 'Live', exact: true }).click();
  const row = page.locator(`tr[data-endpoint="${publicCs}"]`);
  await row.and(page.locator('[data-state="listening"]')).waitFor({ timeout: 10_000 });
  await page.waitForFunction((cs) => document.querySelector(`tr[data-endpoint="${cs}"] td:nth-child(5)`)?.textContent === '1', publicCs, { timeout: 10_000 });
  assert.match(await page.locator(`article[data-instance="${instanceId}"] .whitelist`).innerText(), /0\.0\.0\.0\/0/);
  await shot(page, '1-live-before');

  // Find the operation by search, with the keyboard.
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'op-search');
  await page.keyboard.type('releaseinstancepublic');
  assert.equal(await page.locator('#op-list a[href^="#op/"]').count(), 1);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'ReleaseInstancePublicConnection' }).waitFor();

  // Fill the form and call it (Enter on the focused Call button).
  await page.getByLabel('DBInstanceId').fill(instanceId);
  await page.getByLabel('CurrentConnectionString').fill(publicCs);
  const tsSample = generateSample('typescript', {
    op: buildCatalogueDoc().operations.find((o) => o.name === 'ReleaseInstancePublicConnection')!,
    values: { DBInstanceId: instanceId, CurrentConnectionString: publicCs }, endpoint: s.endpoint, ...s.credentials,
  });
  assert.equal((await page.locator('#sample-panel pre').innerText()).trimEnd(), tsSample?.code.trimEnd(), 'the page shows the generator\'s sample');
  await page.locator('#call').focus();
  await page.keyboard.press('Enter');
  const requestId = page.locator('#result .request-id code');
  await requestId.waitFor({ timeout: 10_000 });
  assert.match(await requestId.innerText(), /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
  assert.match(await page.locator('#result .status').innerText(), /^HTTP 200/);
  assert.equal(await page.locator('#result .error-box').count(), 0);
  await page.locator('#result details').filter({ hasText: 'Canonical request' }).locator('summary').click();
  assert.match(await page.locator('#result').innerText(), /host:127\.0\.0\.1:\d+\nx-acs-action:ReleaseInstancePublicConnection/);
  await shot(page, '2-release-result');
  // For the README: the top of the page (form, Call, RequestId, the answer).
  const readmeShot = join(SHOTS, 'readme.png');
  await page.screenshot({ path: readmeShot, fullPage: true, clip: { x: 0, y: 0, width: 1280, height: 1240 } });
  if (process.env.UPDATE_DOCS_SCREENSHOT === '1' || !existsSync(DOCS_SHOT)) {
    mkdirSync(join(ROOT, 'docs'), { recursive: true });
    copyFileSync(readmeShot, DOCS_SHOT);
  }

  // The copy button carries the same sample.
  await page.getByRole('button', { name: 'Copy TypeScript sample' }).click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), tsSample?.code);

  // The session through the released endpoint is cut, and the live view shows the endpoint closed.
  await within(session.closed, 10_000, 'the session survived the release');
  await page.getByRole('link', { name: 'Live', exact: true }).click();
  await row.and(page.locator('[data-state="closed"]')).waitFor({ timeout: 10_000 });
  assert.match(await row.innerText(), /closed \(released at/);
  assert.equal(await page.locator(`tr[data-endpoint="${publicCs}"] button`).count(), 0, 'nothing left to release');
  await shot(page, '3-live-after');

  // From the live view: allocate again (the form comes prefilled), then release from the live view itself.
  await page.getByRole('link', { name: 'Allocate a public endpoint…' }).click();
  await page.getByRole('heading', { level: 1, name: 'AllocateInstancePublicConnection' }).waitFor();
  assert.equal(await page.getByLabel('DBInstanceId').inputValue(), instanceId);
  await page.getByLabel('ConnectionStringPrefix').fill('explorerdemo2');
  await page.locator('#p-Port').fill('3307');
  await page.getByRole('button', { name: 'Call', exact: true }).click();
  await page.locator('#result .request-id').waitFor();
  assert.match(String(await page.locator('#result').textContent()), /"ConnectionString": "explorerdemo2\.mysql\.rds\.aliyuncs\.com"/);
  await page.getByRole('link', { name: 'Live', exact: true }).click();
  const second = page.locator('tr[data-endpoint="explorerdemo2.mysql.rds.aliyuncs.com"]');
  await second.and(page.locator('[data-state="listening"]')).waitFor({ timeout: 10_000 });
  await page.locator(`article[data-instance="${instanceId}"] .badge.ok`).waitFor({ timeout: 10_000 }); // Running again
  await second.getByRole('button', { name: /^Release/ }).click();
  await second.and(page.locator('[data-state="closed"]')).waitFor({ timeout: 10_000 });
  assert.match(await second.innerText(), /released \(RequestId [0-9A-F-]{36}\)/);

  // V1 on request: the same page signs HMAC-SHA1.
  await page.goto(`${s.url}/explorer/#op/DescribeDBInstanceNetInfo`);
  await page.getByLabel('DBInstanceId').fill(instanceId);
  await page.getByLabel('Signature', { exact: true }).selectOption('V1');
  await page.getByRole('button', { name: 'Call' }).click();
  await page.locator('#result .request-id').waitFor();
  assert.match(await page.locator('#result .status').innerText(), /^HTTP 200/);
  assert.match(String(await page.locator('#result').textContent()), /POST \/\?AccessKeyId=[^&]+&Action=DescribeDBInstanceNetInfo&[^ ]*SignatureMethod=HMAC-SHA1[^ ]*&Signature=/);
  assert.doesNotMatch(await page.locator('#result').innerText(), /Public/, 'only the internal endpoint is left');

  // Calling the release again fails; the error is explained and its Recommend link lands on the code.
  await page.goto(`${s.url}/explorer/#op/ReleaseInstancePublicConnection`);
  await page.getByLabel('DBInstanceId').fill(instanceId);
  await page.getByLabel('CurrentConnectionString').fill(publicCs);
  await page.getByRole('button', { name: 'Call' }).click();
  const box = page.locator('#result .error-box');
  await box.waitFor();
  assert.match(await box.innerText(), /InvalidCurrentConnectionString\.NotFound/);
  assert.match(await box.innerText(), /What to do: The public endpoint is already released/);
  const recommend = String((JSON.parse(await page.locator('#result details pre').first().innerText()) as { Recommend: string }).Recommend);
  assert.equal(recommend, `${s.url}/explorer/#errors/InvalidCurrentConnectionString.NotFound`);
  await page.goto(recommend);
  const entry = page.locator('[id="errors/InvalidCurrentConnectionString.NotFound"]');
  await entry.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'errors/InvalidCurrentConnectionString.NotFound');
  assert.ok(await entry.isVisible());
  const box2 = await entry.boundingBox();
  assert.ok(box2 && box2.y >= 0 && box2.y < 900, 'the entry is scrolled into view');
  assert.match(await entry.innerText(), /HTTP 400[\s\S]*ReleaseInstancePublicConnection[\s\S]*already released/);
  await shot(page, '4-error-center');

  // A narrow screen: one column, nothing wider than the viewport.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${s.url}/explorer/#op/AllocateInstancePublicConnection`);
  await page.getByRole('heading', { level: 1, name: 'AllocateInstancePublicConnection' }).waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than a 390px screen`);
  await shot(page, '5-narrow');

  assert.deepEqual(pageErrors, []);
  session.socket.destroy();
  await context.close();
});

// Browser tests of a built site, opened from disk (file://) in headless
// Chromium through playwright-core.  Usage:
//   node test.mjs SITE_DIR ARTIFACTS_DIR CHROMIUM [CORPUS_SITE_DIR]
// Prints "ok NAME" or "FAIL NAME: why" per check and ends with
// "browser: N passed, N failed".  Screenshots go to ARTIFACTS_DIR.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [site, artifacts, executablePath, corpus] = process.argv.slice(2);
const root = pathToFileURL(path.resolve(site)).href + '/';
const catalog = JSON.parse(fs.readFileSync(path.join(site, 'catalog.json'), 'utf8'));
const runbooks = catalog.pages.filter((p) => p.kind === 'runbook');
let passed = 0, failed = 0;
const offsite = [];		// requests that left file://
const errors = [];		// page errors and console errors
const blocked = [];		// what the pages' Content-Security-Policy refused

fs.mkdirSync(artifacts, { recursive: true });

async function check(name, fn) {
	try {
		await fn();
		passed++;
		console.log(`ok ${name}`);
	} catch (e) {
		failed++;
		console.log(`FAIL ${name}: ${String(e && e.message || e).split('\n')[0]}`);
	}
}

function assert(cond, msg) {
	if (!cond)
		throw new Error(msg);
}

const browser = await chromium.launch({
	executablePath,
	args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	    '--disable-background-networking', '--disable-component-update',
	    '--disable-sync', '--allow-file-access-from-files'],
});

// Every context refuses, and records, anything that is not file://.
async function context(opts = {}) {
	const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...opts });
	await ctx.route('**/*', (route) => {
		const url = route.request().url();
		if (url.startsWith('file:') || url.startsWith('data:'))
			return route.continue();
		offsite.push(url);
		return route.abort();
	});
	ctx.on('page', watch);
	return ctx;
}

function watch(page) {
	page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
	page.on('console', (m) => {
		if (m.type() !== 'error')
			return;
		if (m.text().includes('Content Security Policy'))
			blocked.push(m.text());
		else
			errors.push(`${page.url()}: ${m.text()}`);
	});
}

async function shot(page, name) {
	await page.screenshot({ path: path.join(artifacts, name + '.png'), fullPage: true });
}

const url = (rel) => root + rel;
const ctx = await context();
const page = await ctx.newPage();

await check('home opens from file:// and lists sections and severities', async () => {
	await page.goto(url('index.html'));
	assert(await page.title() !== '', 'no title');
	const h1 = await page.textContent('h1');
	assert(h1.includes(catalog.site.title), `h1 is "${h1}"`);
	assert(await page.locator('.sev-count').count() >= 3, 'no severity counts');
	assert(await page.locator('.sidebar a', { hasText: 'Database' }).count() === 1, 'no Database section in the nav');
	await shot(page, 'home');
});

await check('skip link is the first stop of the keyboard', async () => {
	await page.goto(url('index.html'));
	await page.keyboard.press('Tab');
	const cls = await page.evaluate(() => document.activeElement.className);
	assert(cls === 'skip', `first focus is "${cls}"`);
});

await check('links lead from home to a section and to a runbook', async () => {
	await page.goto(url('index.html'));
	await page.click('.sidebar a:text("Database")');
	assert(page.url().endsWith('/database/index.html'), `at ${page.url()}`);
	assert((await page.textContent('h1')).includes('Database'), 'section h1');
	await page.click('main a:text("Postgres failover: réplica atrasada")');
	assert(page.url().endsWith('/database/postgres-replication-lag.html'), `at ${page.url()}`);
	await shot(page, 'runbook');
});

await check('runbook header: severity, owner, escalation, alerts, review', async () => {
	const meta = await page.textContent('dl.meta');
	for (const want of ['SEV2', 'Database team', 'dba@example.org', 'Platform team',
	    'Head of Engineering', 'PostgresReplicationLag', 'db:replica.lag', '2026-10-01'])
		assert(meta.includes(want), `header lacks "${want}"`);
	assert(await page.locator('.crumbs a').count() === 2, 'breadcrumbs');
	assert(await page.locator('.toc a').count() >= 5, 'table of contents');
});

await check('the table of contents jumps to a heading', async () => {
	await page.click('.toc a:text("Mitigation")');
	assert(page.url().endsWith('#mitigation'), `at ${page.url()}`);
});

await check('backlinks, scripts and previous/next on a runbook', async () => {
	const back = await page.textContent('.page-foot');
	assert(back.includes('DNS resolution failing'), 'no backlink from the DNS runbook');
	assert(back.includes('scripts/check-lag.sh'), 'no script link');
	assert(await page.locator('.pager a').count() >= 1, 'no previous/next');
	await page.click('.scripts a:has-text("check-lag.sh") >> nth=0');
	assert(page.url().endsWith('/scripts/scripts/check-lag.sh.html'), `at ${page.url()}`);
	const lines = fs.readFileSync(path.join(site, 'scripts/check-lag.sh'), 'utf8')
	    .split('\n').length - 1;
	assert(await page.locator('.source .line').count() === lines, 'line-numbered source');
	const used = await page.textContent('.backlinks');
	assert(used.includes('Postgres failover') && used.includes('Backup and restore'), 'script users');
	await shot(page, 'script');
});

await check('an overdue review is flagged', async () => {
	await page.goto(url('database/backup-restore.html'));
	assert(await page.locator('.overdue').count() === 1, 'no overdue mark');
});

await check('alert pages lead to their runbook (meta refresh), ids with ":" too', async () => {
	for (const [file, want] of [['alerts/PostgresReplicationLag.html', 'postgres-replication-lag.html'],
	    ['alerts/db%3Areplica.lag.html', 'postgres-replication-lag.html'],
	    ['alerts/DNSResolutionFailing.html', 'dns-failure.html']]) {
		await page.goto(url(file));
		await page.waitForURL((u) => u.href.endsWith(want), { timeout: 5000 });
	}
	const alerts = JSON.parse(fs.readFileSync(path.join(site, 'alerts.json'), 'utf8'));
	assert(alerts['db:replica.lag'] === 'alerts/db%3Areplica.lag.html', 'alerts.json');
});

await check('alert index lists every alert with its runbook', async () => {
	await page.goto(url('alerts/index.html'));
	assert(await page.locator('table.alerts tbody tr').count() === catalog.alerts.length, 'rows');
	await page.click('table.alerts a:text("Backup and restore")');
	assert(page.url().endsWith('/database/backup-restore.html'), `at ${page.url()}`);
});

await check('an alias of a renamed page redirects to it', async () => {
	await page.goto(url('database/old-restore.html'));
	await page.waitForURL((u) => u.href.endsWith('/database/backup-restore.html'), { timeout: 5000 });
});

await check('severity, owner, tag and service listings link to runbooks', async () => {
	for (const [file, title] of [['severity/sev1.html', 'DNS resolution failing'],
	    ['owners/dba.html', 'Backup and restore'], ['tags/postgres.html', 'Backup and restore'],
	    ['services/edge.html', 'Load balancer 5xx spike']]) {
		await page.goto(url(file));
		await page.click(`main td a:text("${title}")`);
		assert(page.url().includes('.html') && !page.url().endsWith(file), `${file}: stayed`);
	}
});

async function firstResult(q) {
	await page.goto(url('search.html?q=' + encodeURIComponent(q)));
	await page.waitForSelector('#search-results li', { timeout: 5000 });
	return page.textContent('#search-results li:first-child .r-title');
}

await check('search.html?q= opens with the expected runbook first', async () => {
	const t = await firstResult('replica lag');
	assert(t.includes('Postgres failover'), `first is "${t}"`);
	await shot(page, 'search');
});

await check('search ranks alert ids and titles above body text', async () => {
	let t = await firstResult('LoadBalancer5xxHigh');
	assert(t.includes('Load balancer 5xx spike'), `alert id: first is "${t}"`);
	t = await firstResult('dns');
	assert(t.includes('DNS resolution failing'), `title: first is "${t}"`);
});

await check('search ignores accents and case, and matches prefixes', async () => {
	let t = await firstResult('RÉPLICA');
	assert(t.includes('Postgres failover'), `"RÉPLICA": first is "${t}"`);
	t = await firstResult('replica atrasada');
	assert(t.includes('Postgres failover'), `"replica atrasada": first is "${t}"`);
	t = await firstResult('zanzib');
	assert(t.includes('Postgres failover'), `"zanzib": first is "${t}"`);
});

await check('search folds queries exactly as the C indexer does', async () => {
	await page.goto(url('search.html'));
	// The same cases as tests/unit/test_render.c (test_search_tokens).
	const cases = [
		['Diagnóstico RÁPIDO (10 min)', ['diagnostico', 'rapido', '10', 'min']],
		['a b cd', ['cd']],
		['Straße e\u0301x', ['strasse', 'ex']],
		['db:replica.lag — ok…', ['db', 'replica', 'lag', 'ok']],
		['snake_case kebab-case', ['snake_case', 'kebab', 'case']],
		['ΑΒΓ Привет', ['αβγ', 'привет']],
		['a'.repeat(39) + 'éé', ['a'.repeat(39) + 'e']],
	];
	for (const [text, want] of cases) {
		const got = await page.evaluate((t) => window.runbookcSearch.tokens(t), text);
		assert(JSON.stringify(got) === JSON.stringify(want),
		    `${text}: ${JSON.stringify(got)}`);
	}
});

await check('search by typing shows results and a snippet', async () => {
	await page.goto(url('search.html'));
	await page.fill('#site-q', '');
	await page.type('#site-q', 'backup restore', { delay: 20 });
	await page.waitForFunction(() => {
		const li = document.querySelector('#search-results li .r-title');
		return li && li.textContent.includes('Backup and restore');
	}, null, { timeout: 5000 });
	assert(await page.locator('#search-results li:first-child p').count() >= 1, 'no snippet');
	assert(await page.locator('#search-results li:first-child .sev').count() === 1, 'no severity');
});

await check('a sharded index: a query loads only the shards it needs', async () => {
	assert(corpus, 'no corpus site given');
	const dir = path.join(corpus, 'search-index');
	const shards = fs.readdirSync(dir).filter((f) => f.startsWith('t-'));
	assert(shards.length > 3, `only ${shards.length} shards`);
	const c = await context();
	const p = await c.newPage();
	const loaded = [];
	p.on('request', (r) => r.url().includes('/search-index/') && loaded.push(r.url()));
	const base = pathToFileURL(path.resolve(corpus)).href + '/';
	for (const [q, want] of [['Alert00042', 'Runbook 42:'], ['runbook 42', 'Runbook 42:'],
	    ['ROLLBACK sessão', 'rollback']]) {
		loaded.length = 0;
		await p.goto(base + 'search.html?q=' + encodeURIComponent(q));
		await p.waitForSelector('#search-results li', { timeout: 10000 });
		const t = await p.textContent('#search-results li:first-child .r-title');
		assert(t.toLowerCase().includes(want.toLowerCase()), `${q}: first is "${t}"`);
		const terms = loaded.filter((u) => /\/t(-[^/]*)?\.js$/.test(u));
		assert(terms.length < shards.length / 2,
		    `${q}: loaded ${terms.length} of ${shards.length} shards`);
	}
	await c.close();
});

await check('"/" focuses the search box from a runbook; Enter searches', async () => {
	await page.goto(url('network/dns-failure.html'));
	await page.keyboard.press('/');
	const id = await page.evaluate(() => document.activeElement.id);
	assert(id === 'site-q', `focus on "${id}"`);
	await page.keyboard.type('load balancer');
	await page.keyboard.press('Enter');
	await page.waitForSelector('#search-results li', { timeout: 5000 });
	const t = await page.textContent('#search-results li:first-child .r-title');
	assert(t.includes('Load balancer'), `first is "${t}"`);
});

await check('the site works without JavaScript (except search)', async () => {
	const c = await context({ javaScriptEnabled: false });
	const p = await c.newPage();
	await p.goto(url('index.html'));
	await p.click('.sidebar a:text("Network")');
	await p.click('main a:text("DNS resolution failing")');
	assert((await p.textContent('h1')).includes('DNS resolution failing'), 'runbook');
	await p.goto(url('alerts/PostgresBackupMissing.html'));
	await p.waitForURL((u) => u.href.endsWith('backup-restore.html'), { timeout: 5000 });
	await c.close();
});

await check('mobile width and dark mode render', async () => {
	const c = await context({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
	const p = await c.newPage();
	await p.goto(url('database/postgres-replication-lag.html'));
	const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
	assert(overflow <= 1, `page is ${overflow}px wider than the screen`);
	const bg = await p.evaluate(() => getComputedStyle(document.body).backgroundColor);
	assert(bg !== 'rgb(255, 255, 255)', 'dark mode background');
	await shot(p, 'runbook-mobile-dark');
	await c.close();
});

await check('print.html holds every page, with page breaks, ready to print', async () => {
	await page.goto(url('print.html'));
	assert(await page.locator('article.chapter').count() === catalog.pages.length, 'chapters');
	await page.emulateMedia({ media: 'print' });
	const brk = await page.evaluate(() => getComputedStyle(document.querySelector('.chapter')).breakBefore);
	assert(brk === 'page', `break-before is ${brk}`);
	const nav = await page.evaluate(() => getComputedStyle(document.querySelector('.sidebar')).display);
	assert(nav === 'none', 'navigation printed');
	const after = await page.evaluate(() => {
		const a = document.querySelector('.content a[href^="https:"]');
		return a ? getComputedStyle(a, '::after').content : '';
	});
	assert(after.includes('https://www.postgresql.org'), `external URL not shown: ${after}`);
	await page.emulateMedia({ media: 'screen' });
	await shot(page, 'print');
});

await check('print.html prints to a PDF with every runbook title', async () => {
	// As `make pdf` does it: the browser's own --print-to-pdf.
	const pdf = path.join(artifacts, 'runbooks.pdf');
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'runbookc-pdf-'));
	try {
		execFileSync(executablePath, ['--headless', '--no-sandbox', '--disable-gpu',
		    '--disable-quic', '--no-first-run', '--disable-background-networking',
		    '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`,
		    '--no-pdf-header-footer', `--print-to-pdf=${pdf}`, url('print.html')],
		    { stdio: 'ignore', timeout: 60000 });
	} finally {
		fs.rmSync(profile, { recursive: true, force: true });
	}
	const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
	const squash = (s) => s.replace(/\s+/g, ' ');
	for (const r of runbooks)
		assert(squash(text).includes(squash(r.title)), `"${r.title}" not in the PDF`);
});

await check('every link and asset of every page exists on disk', async () => {
	const bad = [];
	const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) =>
	    e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]);
	for (const f of walk(site).filter((f) => f.endsWith('.html'))) {
		const html = fs.readFileSync(f, 'utf8');
		for (const m of html.matchAll(/\s(?:href|src)="([^"#?]*)[^"]*"/g)) {
			const ref = m[1].replace(/&amp;/g, '&');
			if (ref === '' || /^[a-z][a-z0-9+.-]*:/i.test(ref))
				continue;
			assert(!ref.startsWith('/'), `${f}: absolute URL ${ref}`);
			const target = path.resolve(path.dirname(f), decodeURIComponent(ref));
			if (!fs.existsSync(target))
				bad.push(`${path.relative(site, f)} -> ${ref}`);
		}
	}
	assert(bad.length === 0, `${bad.length} broken, e.g. ${bad.slice(0, 3).join(', ')}`);
});

await check('no page requested anything from the network', async () => {
	assert(offsite.length === 0, `requests: ${offsite.slice(0, 3).join(', ')}`);
	// The fixture's external image: refused by the page itself.
	assert(blocked.some((b) => b.includes('grafana.example.org')),
	    'the external image was not blocked by the page\'s policy');
});

await check('no script errors on any page', async () => {
	assert(errors.length === 0, errors.slice(0, 3).join(' | '));
});

await browser.close();
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(0);

/**
 * Drives a real n8n (the pinned 2.40.7 that scripts/install-n8n.sh caches) for end-to-end tests:
 * a fresh user folder per instance, the packed package installed the way a user installs it by hand,
 * credentials and workflows imported and published through n8n's own CLI, then `n8n start`.
 * Every n8n command runs on Node 24 (n8n >= 2.38 and isolated-vm 7 need it; the system Node may be 20).
 */
import { spawn, execFileSync, type ChildProcess } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

/** The package's folder: the nearest one up whose package.json is ours (also when compiled elsewhere). */
function findRepoRoot(from: string): string {
	for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) {
		const manifest = path.join(dir, 'package.json');
		if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'n8n-nodes-handoff') return dir;
	}
	return path.resolve(from, '../../..');
}

export const REPO_ROOT = findRepoRoot(__dirname);
const SCRIPTS = path.join(REPO_ROOT, 'scripts');

// ---------------------------------------------------------------- toolchain

let toolchainCache: { nodeBin: string; n8nScript: string } | undefined;

/** Node 24's bin folder and n8n's entry script; the scripts are instant once installed. */
export function toolchain() {
	if (!toolchainCache) {
		const nodeBin = execFileSync(path.join(SCRIPTS, 'ensure-node24.sh'), { encoding: 'utf8' }).trim();
		const n8nDir = execFileSync(path.join(SCRIPTS, 'install-n8n.sh'), { encoding: 'utf8' }).trim();
		toolchainCache = { nodeBin, n8nScript: path.join(n8nDir, 'node_modules/n8n/bin/n8n') };
	}
	return toolchainCache;
}

/** Where this test run keeps its files: set by global-setup.ts, so it is shared by all test files. */
export function runDir(): string {
	if (!process.env.HANDOFF_E2E_RUN_DIR) {
		process.env.HANDOFF_E2E_RUN_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-e2e-run-'));
	}
	return process.env.HANDOFF_E2E_RUN_DIR;
}

/** Runs a command to completion: its stdout and its whole output; rejects with the output on failure. */
function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) {
	return new Promise<{ stdout: string; out: string }>((resolve, reject) => {
		const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let out = '';
		child.stdout.on('data', (d) => ((stdout += d), (out += d)));
		child.stderr.on('data', (d) => (out += d));
		const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 180_000);
		child.on('error', reject);
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			if (code === 0) resolve({ stdout, out });
			else reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? code}):\n${out.slice(-4000)}`));
		});
	});
}

// ---------------------------------------------------------------- package

/**
 * Packs the already-built repo (`npm run build` is the caller's job) and returns the .tgz path.
 * Packed once per test run: the tarball is kept in the run folder.
 */
export async function packPackage(): Promise<string> {
	const packDir = path.join(runDir(), 'pack');
	const existing = fs.existsSync(packDir) ? fs.readdirSync(packDir).filter((f) => f.endsWith('.tgz')) : [];
	if (existing.length) return path.join(packDir, existing[0]);
	if (!fs.existsSync(path.join(REPO_ROOT, 'dist'))) {
		throw new Error(`${REPO_ROOT}/dist is missing: run \`npm run build\` before packing`);
	}
	fs.mkdirSync(packDir, { recursive: true });
	// --ignore-scripts: packing must not rebuild; the caller built what it wants to test.
	const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], {
		cwd: REPO_ROOT,
	});
	const [{ filename }] = JSON.parse(stdout);
	return path.join(packDir, path.basename(filename));
}

// ---------------------------------------------------------------- processes

/** Live (non-zombie) processes of a process group, read from /proc. */
export function processGroupMembers(pgid: number): number[] {
	const pids: number[] = [];
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
			// "pid (comm) state ppid pgrp ..." — comm may contain spaces, so split after the last ')'.
			const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			if (Number(pgrp) === pgid && state !== 'Z') pids.push(Number(entry));
		} catch {
			// the process ended while we were reading
		}
	}
	return pids;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address() as net.AddressInfo;
			srv.close(() => resolve(port));
		});
	});
}

/**
 * Instances not yet stopped. Every test file that imports this module stops them in afterAll, even
 * when a test failed before its own stop(); global-teardown.ts kills whatever still survived.
 */
const live = new Set<N8nInstance>();
if (typeof afterAll === 'function') afterAll(() => N8nInstance.stopAll(), 60_000);

// ---------------------------------------------------------------- HTTP

export interface HttpResponse {
	status: number;
	headers: http.IncomingHttpHeaders;
	text: string;
	json<T = any>(): T;
}

/** A small HTTP client: no keep-alive agent, so nothing stays open after a test. */
export function request(
	url: string,
	opts: { method?: string; headers?: Record<string, string>; body?: unknown; timeoutMs?: number } = {},
): Promise<HttpResponse> {
	const body = opts.body === undefined || typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
	const headers: Record<string, string> = { ...opts.headers };
	if (body !== undefined && typeof opts.body !== 'string') headers['content-type'] ??= 'application/json';
	return new Promise((resolve, reject) => {
		const req = http.request(url, { method: opts.method ?? 'GET', headers, agent: false }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
			});
		});
		req.setTimeout(opts.timeoutMs ?? 30_000, () => req.destroy(new Error(`timeout: ${opts.method ?? 'GET'} ${url}`)));
		req.on('error', reject);
		req.end(body);
	});
}

// ---------------------------------------------------------------- n8n

export interface StartOptions {
	/** n8n's HTTP port; a free one by default. */
	port?: number;
	/** A packed community package (see packPackage) to install into the user folder. */
	tarball?: string;
	/** Credentials as n8n exports them, with `data` as a plain object (n8n encrypts it on import). */
	credentials?: object[];
	/** Workflow JSON; an `id` is added when missing (see `workflowIds`). */
	workflows?: Array<Record<string, unknown>>;
	/** Publish (activate) every imported workflow before start; default true. */
	publish?: boolean;
	/** Extra environment for every n8n command; wins over the defaults below. */
	env?: Record<string, string>;
	/** How long to wait for /healthz/readiness; default 120 s (2 cores, first start builds caches). */
	startTimeoutMs?: number;
}

/** Environment that keeps n8n offline and quiet (names checked in n8n 2.40.7's config). */
const OFFLINE_ENV: Record<string, string> = {
	N8N_DIAGNOSTICS_ENABLED: 'false', // telemetry (RudderStack to telemetry.n8n.io, PostHog)
	N8N_DIAGNOSTICS_CONFIG_FRONTEND: '',
	N8N_DIAGNOSTICS_CONFIG_BACKEND: '',
	N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
	N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
	N8N_TEMPLATES_ENABLED: 'false',
	N8N_PERSONALIZATION_ENABLED: 'false',
	N8N_HIRING_BANNER_ENABLED: 'false',
	N8N_DYNAMIC_BANNERS_ENABLED: 'false',
	N8N_AI_ENABLED: 'false',
	N8N_VERIFIED_PACKAGES_ENABLED: 'false', // list of verified community packages from api.n8n.io
	N8N_REINSTALL_MISSING_PACKAGES: 'false',
	N8N_LICENSE_AUTO_RENEW_ENABLED: 'false', // n8n warns about it once; better than calling the license server
	N8N_DISABLED_MODULES: 'mcp-registry', // fetches the MCP server catalogue from api.n8n.io at start
	EXTERNAL_FRONTEND_HOOKS_URLS: '',
};

const INSTANCE_ENV: Record<string, string> = {
	NODE_ENV: 'production', // jest sets NODE_ENV=test, which switches n8n's CLI into its own test mode
	DB_TYPE: 'sqlite',
	N8N_LISTEN_ADDRESS: '127.0.0.1',
	N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
	N8N_SECURE_COOKIE: 'false', // plain http on localhost
	N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
	N8N_UNVERIFIED_PACKAGES_ENABLED: 'true', // our package is unverified; set explicitly, else n8n warns
	N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
	N8N_LOG_LEVEL: 'debug', // webhook registration and each execution step are only logged at debug
	N8N_LOG_OUTPUT: 'console',
	EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
	EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
	GENERIC_TIMEZONE: 'UTC',
};

/**
 * The owner account exists from start-up on (set from the environment), so tests can log in. Setting it up
 * later through POST /rest/owner/setup races with n8n itself: after the first successful production
 * execution n8n re-saves the owner's settings from a copy read earlier, which can revert a just-set
 * password and invalidate the session (seen here 1 run in 8).
 */
export const OWNER = { email: 'owner@e2e.test', password: 'E2e-Owner-Passw0rd' };
const OWNER_ENV: Record<string, string> = {
	N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
	N8N_INSTANCE_OWNER_EMAIL: OWNER.email,
	// bcrypt of OWNER.password (made with n8n's own bcryptjs; n8n wants the hash, not the password)
	N8N_INSTANCE_OWNER_PASSWORD_HASH: '$2a$10$FPt6O/j3qoPGdj.HhaBW4.IkZ1moyNKtuIvo.5h.ndvLES6/HdAEa',
};
const BROWSER_ID = 'handoff-e2e'; // n8n binds its auth cookie to this header

export class N8nInstance {
	readonly baseUrl: string;
	readonly logFile: string;
	/** Ids of the imported workflows, in the order given. */
	workflowIds: string[] = [];
	private child?: ChildProcess;
	private exited?: Promise<void>;
	private cookie?: string;
	private apiKey?: string;

	private constructor(
		readonly userFolder: string,
		readonly port: number,
		private readonly env: NodeJS.ProcessEnv,
	) {
		this.baseUrl = `http://127.0.0.1:${port}`;
		this.logFile = path.join(userFolder, 'n8n.log');
	}

	/** The n8n process id, which is also its process group id (spawned as a group leader). */
	get pid(): number {
		return this.child?.pid ?? 0;
	}

	static async start(opts: StartOptions = {}): Promise<N8nInstance> {
		const { nodeBin } = toolchain();
		const userFolder = fs.mkdtempSync(path.join(runDir(), 'n8n-'));
		const port = opts.port ?? (await freePort());
		let brokerPort = await freePort();
		while (brokerPort === port) brokerPort = await freePort();

		// Drop outer n8n/jest settings so the instance depends only on what is set here.
		const inherited = Object.fromEntries(
			Object.entries(process.env).filter(([k]) => !/^(N8N_|DB_|EXECUTIONS_|QUEUE_|WEBHOOK_URL$|NODE_OPTIONS$|JEST_)/.test(k)),
		);
		const env: NodeJS.ProcessEnv = {
			...inherited,
			PATH: `${nodeBin}${path.delimiter}${process.env.PATH}`, // n8n's task runner and npm run on Node 24 too
			npm_config_nodedir: path.join(nodeBin, `../node_modules/node-${process.platform}-${process.arch}`),
			...OFFLINE_ENV,
			...INSTANCE_ENV,
			...OWNER_ENV,
			N8N_USER_FOLDER: userFolder,
			N8N_ENCRYPTION_KEY: randomBytes(24).toString('hex'),
			N8N_PORT: String(port),
			N8N_RUNNERS_BROKER_PORT: String(brokerPort), // default 5679 would clash between instances
			N8N_WEBHOOK_URL: `http://127.0.0.1:${port}/`, // what getNodeWebhookUrl() returns (WEBHOOK_URL is deprecated in 2.40)
			...opts.env,
		};

		const n8n = new N8nInstance(userFolder, port, env);
		try {
			if (opts.tarball) await n8n.installPackage(opts.tarball);
			if (opts.credentials?.length) await n8n.importJson('credentials', opts.credentials);
			if (opts.workflows?.length) {
				const workflows = opts.workflows.map((w) => ({ ...w, id: w.id ?? randomId() }));
				n8n.workflowIds = workflows.map((w) => String(w.id));
				await n8n.importJson('workflow', workflows);
				if (opts.publish !== false) {
					for (const id of n8n.workflowIds) await n8n.cli(['publish:workflow', `--id=${id}`]);
				}
			}
			await n8n.launch(opts.startTimeoutMs ?? 120_000);
		} catch (error) {
			await n8n.stop();
			throw error;
		}
		return n8n;
	}

	static async stopAll(): Promise<void> {
		await Promise.all([...live].map((n) => n.stop()));
	}

	/** Runs an n8n CLI command against this instance's user folder (on Node 24); returns its output. */
	async cli(args: string[]): Promise<string> {
		const { nodeBin, n8nScript } = toolchain();
		const t0 = Date.now();
		const { out } = await run(path.join(nodeBin, 'node'), [n8nScript, ...args], { cwd: this.userFolder, env: this.env });
		fs.appendFileSync(this.logFile, `\n$ n8n ${args.join(' ')}  (${Date.now() - t0} ms)\n${out}`);
		return out;
	}

	/** `npm install <tgz>` in <user folder>/.n8n/nodes, as n8n's docs tell users to install by hand. */
	private async installPackage(tarball: string) {
		const nodesDir = path.join(this.userFolder, '.n8n', 'nodes');
		fs.mkdirSync(nodesDir, { recursive: true });
		fs.writeFileSync(path.join(nodesDir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true }));
		// --omit=peer: keep npm from installing its own n8n-workflow; the node must use n8n's copy.
		const { out } = await run('npm', ['install', path.resolve(tarball), '--omit=peer', '--no-audit', '--no-fund'], {
			cwd: nodesDir,
			env: this.env,
		});
		fs.appendFileSync(this.logFile, `$ npm install ${tarball}\n${out}`);
	}

	private async importJson(kind: 'credentials' | 'workflow', items: object[]) {
		const file = path.join(this.userFolder, `import-${kind}.json`);
		fs.writeFileSync(file, JSON.stringify(items, null, 2));
		const out = await this.cli([`import:${kind}`, `--input=${file}`]);
		// Errors exit non-zero, but a workflow skipped by n8n's import policy does not: check the count.
		if (!out.includes(`Successfully imported ${items.length} `)) {
			throw new Error(`n8n import:${kind} did not import all ${items.length}:\n${out.slice(-3000)}`);
		}
	}

	private async launch(timeoutMs: number) {
		const { nodeBin, n8nScript } = toolchain();
		const log = fs.openSync(this.logFile, 'a');
		// detached: n8n leads its own process group (with its task runner), so stop() can end them all.
		const child = spawn(path.join(nodeBin, 'node'), [n8nScript, 'start'], {
			cwd: this.userFolder,
			env: this.env,
			detached: true,
			stdio: ['ignore', log, log],
		});
		fs.closeSync(log);
		this.child = child;
		live.add(this);
		this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
		fs.appendFileSync(path.join(runDir(), 'pids'), `${child.pid}\n`); // for global-teardown.ts

		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			if (child.exitCode !== null || child.signalCode !== null) {
				throw new Error(`n8n exited during start-up (${child.exitCode ?? child.signalCode}):\n${this.logTail()}`);
			}
			// /healthz says only "HTTP is up" (even before the migrations ran); readiness also means
			// database migrated and start-up finished.
			const res = await request(`${this.baseUrl}/healthz/readiness`, { timeoutMs: 2_000 }).catch(() => undefined);
			if (res?.status === 200) return;
			await sleep(250);
		}
		throw new Error(`n8n was not ready (/healthz/readiness) within ${timeoutMs} ms:\n${this.logTail()}`);
	}

	/** URL of a production webhook. */
	webhookUrl(webhookPath: string): string {
		return `${this.baseUrl}/webhook/${webhookPath.replace(/^\//, '')}`;
	}

	/**
	 * Waits until n8n has registered a published workflow's production webhook. /healthz answers before
	 * activation is done; until then the webhook answers 404. A CORS preflight (OPTIONS with Origin)
	 * is used as the probe because it looks the webhook up without running the workflow: it answers
	 * 404 until the webhook routes exist, 500 while the path is unknown, 204 once it is registered.
	 * (The node's own checkExists/create run just after registration: wait for their side effect too.)
	 */
	async waitForWebhook(webhookPath: string, opts: { method?: string; timeoutMs?: number } = {}): Promise<void> {
		const method = opts.method ?? 'POST';
		const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
		let last = '';
		while (Date.now() < deadline) {
			const res = await request(this.webhookUrl(webhookPath), {
				method: 'OPTIONS',
				headers: { origin: this.baseUrl, 'access-control-request-method': method },
			}).catch((e) => ({ status: 0, text: String(e) }));
			if (res.status >= 200 && res.status < 300) return;
			last = `${res.status} ${res.text.slice(0, 300)}`;
			await sleep(250);
		}
		throw new Error(`webhook ${method} ${webhookPath} not registered in time (last answer: ${last}):\n${this.logTail()}`);
	}

	/** Everything n8n and the CLI commands wrote so far. */
	logs(): string {
		return fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, 'utf8') : '';
	}

	private logTail(lines = 60): string {
		return this.logs().split('\n').slice(-lines).join('\n');
	}

	/** Logs in as the owner once and keeps the session cookie; used for the internal REST API (/rest, /types). */
	private async session(): Promise<string> {
		if (!this.cookie) {
			const res = await request(`${this.baseUrl}/rest/login`, {
				method: 'POST',
				headers: { 'browser-id': BROWSER_ID },
				body: { emailOrLdapLoginId: OWNER.email, password: OWNER.password },
			});
			const cookie = [res.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('n8n-auth='));
			if (res.status !== 200 || !cookie) throw new Error(`owner login failed: ${res.status} ${res.text}`);
			this.cookie = cookie.split(';')[0];
		}
		return this.cookie;
	}

	/** GET on n8n's internal REST API as the owner. */
	async rest<T = any>(urlPath: string): Promise<T> {
		const res = await request(`${this.baseUrl}${urlPath}`, {
			headers: { cookie: await this.session(), 'browser-id': BROWSER_ID },
		});
		if (res.status !== 200) throw new Error(`GET ${urlPath}: ${res.status} ${res.text.slice(0, 500)}`);
		return res.json();
	}

	/** A public-API key of the owner, created once through the owner's session with every scope it may have. */
	private async publicApiKey(): Promise<string> {
		if (!this.apiKey) {
			const headers = { cookie: await this.session(), 'browser-id': BROWSER_ID };
			const scopes = (await this.rest('/rest/api-keys/scopes')).data;
			const res = await request(`${this.baseUrl}/rest/api-keys`, {
				method: 'POST',
				headers,
				body: { label: 'e2e', scopes, expiresAt: null },
			});
			if (res.status !== 200) throw new Error(`API key creation failed: ${res.status} ${res.text}`);
			this.apiKey = res.json().data.rawApiKey as string;
		}
		return this.apiKey;
	}

	/** GET on n8n's public REST API (/api/v1) with an API key. */
	async api<T = any>(urlPath: string): Promise<T> {
		const res = await request(`${this.baseUrl}/api/v1${urlPath}`, {
			headers: { 'x-n8n-api-key': await this.publicApiKey(), accept: 'application/json' },
		});
		if (res.status !== 200) throw new Error(`GET /api/v1${urlPath}: ${res.status} ${res.text.slice(0, 500)}`);
		return res.json();
	}

	/**
	 * Executions read through the public API, oldest first, with their run data by default
	 * (`data.resultData.runData[<node name>][0].data.main[0]` holds a node's output items).
	 */
	async executions(opts: { workflowId?: string; includeData?: boolean; status?: string } = {}): Promise<any[]> {
		const all: any[] = [];
		let cursor: string | undefined;
		do {
			const q = new URLSearchParams({ includeData: String(opts.includeData ?? true), limit: '250' });
			if (opts.workflowId) q.set('workflowId', opts.workflowId);
			if (opts.status) q.set('status', opts.status);
			if (cursor) q.set('cursor', cursor);
			const page = await this.api<{ data: any[]; nextCursor?: string | null }>(`/executions?${q}`);
			all.push(...page.data);
			cursor = page.nextCursor ?? undefined;
		} while (cursor);
		return all.sort((a, b) => Number(a.id) - Number(b.id));
	}

	/** Polls executions() until `count` of them have finished (any status but new/running/waiting). */
	async waitForExecutions(count: number, opts: { workflowId?: string; timeoutMs?: number } = {}): Promise<any[]> {
		const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
		let found: any[] = [];
		while (Date.now() < deadline) {
			found = (await this.executions({ workflowId: opts.workflowId })).filter(
				(e) => !['new', 'running', 'waiting'].includes(e.status),
			);
			if (found.length >= count) return found;
			await sleep(300);
		}
		throw new Error(`expected ${count} finished executions, found ${found.length}`);
	}

	/** Names of the node types n8n loaded (includes community packages as `<package>.<node>`). */
	async nodeTypes(): Promise<string[]> {
		const types = await this.rest<Array<{ name: string }>>('/types/nodes.json');
		return [...new Set(types.map((t) => t.name))];
	}

	/** Resident memory of n8n and its task runner, in MB (from /proc). */
	rssMB(): number {
		let kb = 0;
		for (const pid of processGroupMembers(this.pid)) {
			const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
			kb += m ? Number(m[1]) : 0;
		}
		return Math.round(kb / 1024);
	}

	/**
	 * Stops n8n: SIGTERM to n8n (which stops its task runner), SIGKILL to the whole group if anything
	 * is left after the grace period, then waits until no process of the group remains.
	 */
	async stop(graceMs = 15_000): Promise<void> {
		const child = this.child;
		live.delete(this);
		if (!child?.pid) return;
		const pgid = child.pid;
		const signal = (sig: NodeJS.Signals) => {
			try {
				process.kill(-pgid, sig);
			} catch {
				// group already empty
			}
		};
		if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
		const gone = async (ms: number) => {
			const deadline = Date.now() + ms;
			while (Date.now() < deadline) {
				if (processGroupMembers(pgid).length === 0) return true;
				await sleep(100);
			}
			return false;
		};
		if (!(await gone(graceMs))) {
			signal('SIGKILL');
			if (!(await gone(5_000))) throw new Error(`n8n process group ${pgid} survived SIGKILL`);
		}
		await this.exited; // reaped, so no zombie is left either
	}
}

/** A workflow id like n8n's own (16 alphanumerics). */
function randomId(): string {
	const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
	return Array.from(randomBytes(16), (b) => abc[b % abc.length]).join('');
}

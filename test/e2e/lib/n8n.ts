/**
 * Drives a real n8n (the pinned 2.40.7 that scripts/install-n8n.sh caches) for end-to-end tests:
 * a fresh user folder per instance, the packed package installed the way a user installs it by hand,
 * credentials and workflows imported and published through n8n's own CLI, then `n8n start`.
 * Every n8n command runs on Node 24 (n8n >= 2.38 and isolated-vm 7 need it; the system Node may be 20).
 *
 * With `queue` (StartOptions), n8n runs in queue mode instead: PostgreSQL and Redis (see
 * scripts/ensure-services.sh), `n8n start` for activation only, `n8n webhook` processes that take the
 * production webhooks, `n8n worker` processes that run the executions.
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

/** `count` distinct free ports (all held open together, so none is handed out twice). */
async function freePorts(count: number): Promise<number[]> {
	const servers = await Promise.all(
		Array.from({ length: count }, () => {
			return new Promise<net.Server>((resolve, reject) => {
				const srv = net.createServer();
				srv.on('error', reject);
				srv.listen(0, '127.0.0.1', () => resolve(srv));
			});
		}),
	);
	const ports = servers.map((srv) => (srv.address() as net.AddressInfo).port);
	await Promise.all(servers.map((srv) => new Promise((r) => srv.close(r))));
	return ports;
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
	/** Run n8n in queue mode (PostgreSQL + Redis on 127.0.0.1, see scripts/ensure-services.sh). */
	queue?: QueueOptions;
	/** Told when each start-up stage is done (package installed, credentials and workflows imported, published, ready). */
	onProgress?: (stage: string) => void;
}

/**
 * Written into a trigger's *Webhook Processes* option, replaced on import by the addresses of the
 * instance's webhook processes (known only once their ports are chosen).
 */
export const WEBHOOK_PROCESSES_PLACEHOLDER = 'E2E_WEBHOOK_PROCESS_ADDRESSES';

export interface QueueOptions {
	/** `n8n webhook` processes; default 1. With several, a round-robin proxy in this process is their one address. */
	webhookProcesses?: number;
	/** `n8n worker` processes; default 1. */
	workers?: number;
	/** Each worker's `--concurrency`; default 5. n8n 2.40.7 lets N8N_CONCURRENCY_PRODUCTION_LIMIT win over it. */
	concurrency?: number;
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

/** Where scripts/ensure-services.sh makes PostgreSQL (trust auth for user postgres) and Redis answer. */
const PG = { host: '127.0.0.1', port: '5432', user: 'postgres' };
const REDIS = { host: '127.0.0.1', port: '6379' };

/** One long-running n8n process of an instance. */
interface N8nProcess {
	/** `main` (`n8n start`), `webhook-<i>` or `worker-<i>`. */
	name: string;
	args: string[];
	userFolder: string;
	env: NodeJS.ProcessEnv;
	logFile: string;
	/** Answers 200 once the process is up: /healthz/readiness of its HTTP server or worker server. */
	readinessUrl: string;
	child?: ChildProcess;
	exited?: Promise<void>;
}

/** What a queue-mode instance adds: a database, its processes, and the address platforms deliver to. */
interface QueueSetup {
	database: string;
	/** Prefixes of the instance's Redis keys (Bull queue; pub/sub channels and cache). */
	redisPrefixes: string[];
	/** Environment of every process and CLI command of the instance. */
	env: Record<string, string>;
	webhooks: Array<{ port: number }>;
	workers: Array<{ healthPort: number; brokerPort: number }>;
	concurrency: number;
	/** Base URL of the webhook entry: the webhook process, or the round-robin proxy in front of several. */
	entryUrl: string;
	proxy?: RoundRobinProxy;
}

async function queueSetup(opts: QueueOptions, id: string): Promise<QueueSetup> {
	const webhookCount = opts.webhookProcesses ?? 1;
	const workerCount = opts.workers ?? 1;
	const ports = await freePorts(webhookCount + 2 * workerCount);
	const webhooks = Array.from({ length: webhookCount }, () => ({ port: ports.pop()! }));
	const workers = Array.from({ length: workerCount }, () => ({ healthPort: ports.pop()!, brokerPort: ports.pop()! }));
	const proxy = webhookCount > 1 ? await roundRobinProxy(webhooks.map((w) => w.port)) : undefined;
	const entryUrl = `http://127.0.0.1:${proxy?.port ?? webhooks[0].port}`;
	const database = `handoff_e2e_${id}`;
	await run('psql', ['-h', PG.host, '-p', PG.port, '-U', PG.user, '-d', 'postgres', '-qc', `CREATE DATABASE ${database}`]).catch(
		async (error) => {
			await proxy?.close();
			throw new Error(`${error.message}\n(is PostgreSQL up? run scripts/ensure-services.sh)`);
		},
	);
	const env = {
		EXECUTIONS_MODE: 'queue',
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: PG.host,
		DB_POSTGRESDB_PORT: PG.port,
		DB_POSTGRESDB_USER: PG.user,
		DB_POSTGRESDB_PASSWORD: '',
		DB_POSTGRESDB_DATABASE: database,
		QUEUE_BULL_REDIS_HOST: REDIS.host,
		QUEUE_BULL_REDIS_PORT: REDIS.port,
		// Parallel runs share one Redis: their own Bull queue, and their own pub/sub channels and cache
		// keys (the cache maps webhook paths, which are fixed in the templates, to workflow ids).
		QUEUE_BULL_PREFIX: `bull-${id}`,
		N8N_REDIS_KEY_PREFIX: `n8n-${id}`,
		QUEUE_HEALTH_CHECK_ACTIVE: 'true', // workers' /healthz and /healthz/readiness (QUEUE_HEALTH_CHECK_PORT)
		N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
		// Manual executions go to workers too, so main starts no task runner (n8n 2.40.7 commands/start.js).
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true', // main serves no /webhook/: only webhook processes do
		N8N_WEBHOOK_URL: `${entryUrl}/`, // what triggers register at the platforms (getNodeWebhookUrl)
	};
	const redisPrefixes = [env.QUEUE_BULL_PREFIX, env.N8N_REDIS_KEY_PREFIX];
	return { database, redisPrefixes, env, webhooks, workers, concurrency: opts.concurrency ?? 5, entryUrl, proxy };
}

interface RoundRobinProxy {
	port: number;
	/** Requests forwarded to each target, in the order of the targets. */
	counts: number[];
	close(): Promise<void>;
}

/** A tiny HTTP proxy that hands each request to the next of `targets` (ports on 127.0.0.1) in turn. */
async function roundRobinProxy(targets: number[]): Promise<RoundRobinProxy> {
	const counts = targets.map(() => 0);
	let next = 0;
	const server = http.createServer((req, res) => {
		const i = next++ % targets.length;
		counts[i]++;
		const upstream = http.request(
			{ host: '127.0.0.1', port: targets[i], method: req.method, path: req.url, headers: req.headers, agent: false },
			(answer) => {
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
			},
		);
		upstream.on('error', (error) => {
			if (!res.headersSent) res.writeHead(502);
			res.end(`proxy: ${error.message}`);
		});
		req.pipe(upstream);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		port: (server.address() as net.AddressInfo).port,
		counts,
		close: () => {
			server.closeAllConnections();
			return new Promise((resolve) => server.close(() => resolve()));
		},
	};
}

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
	/** Main's URL: UI, REST and public API (and the production webhooks, unless in queue mode). */
	readonly baseUrl: string;
	/** Main's log, with the output of the CLI commands. */
	readonly logFile: string;
	/** Ids of the imported workflows, in the order given. */
	workflowIds: string[] = [];
	/** main first, then (queue mode) the webhook processes and the workers. */
	private readonly processes: N8nProcess[];
	private cookie?: string;
	private apiKey?: string;

	private constructor(
		readonly userFolder: string,
		readonly port: number,
		private readonly env: NodeJS.ProcessEnv,
		private readonly queue?: QueueSetup,
	) {
		this.baseUrl = `http://127.0.0.1:${port}`;
		this.logFile = path.join(userFolder, 'n8n.log');
		const readinessUrl = `${this.baseUrl}/healthz/readiness`;
		const main: N8nProcess = { name: 'main', args: ['start'], userFolder, env, logFile: this.logFile, readinessUrl };
		this.processes = [main, ...(queue ? queueProcesses(queue, userFolder, env) : [])];
	}

	/** The n8n (main) process id, which is also its process group id (spawned as a group leader). */
	get pid(): number {
		return this.processes[0].child?.pid ?? 0;
	}

	/** Queue mode: base URL of each `n8n webhook` process, to send a delivery to one of them on purpose. */
	get webhookProcessUrls(): string[] {
		return (this.queue?.webhooks ?? []).map((w) => `http://127.0.0.1:${w.port}`);
	}

	/** Queue mode: runs SQL in the instance's PostgreSQL database; returns psql's unaligned rows. */
	async queryDatabase(sql: string): Promise<string> {
		if (!this.queue) throw new Error('queryDatabase() needs queue mode (SQLite otherwise)');
		const { stdout } = await run('psql', ['-h', PG.host, '-p', PG.port, '-U', PG.user, '-d', this.queue.database, '-Atqc', sql]);
		return stdout.trim();
	}

	/** Queue mode with several webhook processes: requests the round-robin proxy forwarded to each. */
	get webhookProcessRequestCounts(): number[] {
		return [...(this.queue?.proxy?.counts ?? [])];
	}

	static async start(opts: StartOptions = {}): Promise<N8nInstance> {
		const { nodeBin } = toolchain();
		const userFolder = fs.mkdtempSync(path.join(runDir(), 'n8n-'));
		let [port, brokerPort] = await freePorts(2);
		if (opts.port !== undefined) {
			port = opts.port;
			if (brokerPort === port) [, brokerPort] = await freePorts(2);
		}
		// Set up before the environment: N8N_WEBHOOK_URL points at the webhook processes.
		const queue = opts.queue && (await queueSetup(opts.queue, path.basename(userFolder).replace(/\W/g, '').toLowerCase()));

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
			...queue?.env,
			...opts.env,
		};

		const n8n = new N8nInstance(userFolder, port, env, queue);
		try {
			const progress = opts.onProgress ?? (() => undefined);
			if (opts.tarball) {
				await n8n.installPackage(opts.tarball);
				progress(`package installed into n8n's user folder`);
			}
			if (opts.credentials?.length) {
				await n8n.importJson('credentials', opts.credentials);
				progress(`${opts.credentials.length} credentials imported`);
			}
			if (opts.workflows?.length) {
				const addresses = (queue?.webhooks ?? []).map(({ port }) => `http://127.0.0.1:${port}`).join(', ');
				const workflows = opts.workflows.map(
					(w) => JSON.parse(JSON.stringify({ ...w, id: w.id ?? randomId() }).split(WEBHOOK_PROCESSES_PLACEHOLDER).join(addresses)) as typeof w,
				);
				n8n.workflowIds = workflows.map((w) => String(w.id));
				await n8n.importJson('workflow', workflows);
				progress(`${workflows.length} workflows imported`);
				if (opts.publish !== false) {
					for (const id of n8n.workflowIds) await n8n.cli(['publish:workflow', `--id=${id}`]);
					progress(`${workflows.length} workflows published`);
				}
			}
			await n8n.launch(opts.startTimeoutMs ?? 120_000);
			progress(`n8n ready at ${n8n.baseUrl}`);
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

	/** Starts every process at once (each leads its own process group) and waits until all are ready. */
	private async launch(timeoutMs: number) {
		const deadline = Date.now() + timeoutMs;
		for (const proc of this.processes) this.spawn(proc);
		live.add(this);
		await Promise.all(this.processes.map((proc) => this.waitReady(proc, deadline)));
	}

	private spawn(proc: N8nProcess) {
		const { nodeBin, n8nScript } = toolchain();
		const log = fs.openSync(proc.logFile, 'a');
		// detached: n8n leads its own process group (with its task runner), so stop() can end them all.
		const child = spawn(path.join(nodeBin, 'node'), [n8nScript, ...proc.args], {
			cwd: proc.userFolder,
			env: proc.env,
			detached: true,
			stdio: ['ignore', log, log],
		});
		fs.closeSync(log);
		proc.child = child;
		proc.exited = new Promise((resolve) => child.once('exit', () => resolve()));
		fs.appendFileSync(path.join(runDir(), 'pids'), `${child.pid}\n`); // for global-teardown.ts
	}

	private async waitReady(proc: N8nProcess, deadline: number) {
		const child = proc.child!;
		while (Date.now() < deadline) {
			if (child.exitCode !== null || child.signalCode !== null) {
				throw new Error(`n8n ${proc.name} exited during start-up (${child.exitCode ?? child.signalCode}):\n${this.logTail(60, proc)}`);
			}
			// /healthz says only "HTTP is up" (even before the migrations ran); readiness also means
			// database migrated and start-up finished (for a worker: Redis connected too).
			const res = await request(proc.readinessUrl, { timeoutMs: 2_000 }).catch(() => undefined);
			if (res?.status === 200) return;
			await sleep(250);
		}
		throw new Error(`n8n ${proc.name} was not ready (${proc.readinessUrl}) in time:\n${this.logTail(60, proc)}`);
	}

	/**
	 * A crash: SIGKILL to one process's whole group (n8n and its task runner), no grace, as an OOM
	 * kill or a lost machine would. Resolves once nothing of the group is left.
	 */
	async kill9(processName = 'main'): Promise<void> {
		const proc = this.processes.find((candidate) => candidate.name === processName);
		const pgid = proc?.child?.pid;
		if (!proc || !pgid) throw new Error(`no running n8n process "${processName}"`);
		try {
			process.kill(-pgid, 'SIGKILL');
		} catch {
			// already gone
		}
		while (processGroupMembers(pgid).length > 0) await sleep(50);
		await proc.exited;
	}

	/** Starts a killed process again with the same folder, port and environment; resolves when it is ready. */
	async restart(processName = 'main', timeoutMs = 120_000): Promise<void> {
		const proc = this.processes.find((candidate) => candidate.name === processName);
		if (!proc) throw new Error(`no n8n process "${processName}"`);
		this.spawn(proc);
		await this.waitReady(proc, Date.now() + timeoutMs);
	}

	/** URL of a production webhook (in queue mode: at the webhook processes). */
	webhookUrl(webhookPath: string): string {
		return `${this.queue?.entryUrl ?? this.baseUrl}/webhook/${webhookPath.replace(/^\//, '')}`;
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

	/** Everything n8n (main) and the CLI commands wrote so far; or what one process (queue mode) wrote. */
	logs(processName = 'main'): string {
		const proc = this.processes.find((p) => p.name === processName);
		if (!proc) throw new Error(`no n8n process "${processName}" (${this.processNames().join(', ')})`);
		return fs.existsSync(proc.logFile) ? fs.readFileSync(proc.logFile, 'utf8') : '';
	}

	/** `main`, then (queue mode) `webhook-1`…, `worker-1`…. */
	processNames(): string[] {
		return this.processes.map((p) => p.name);
	}

	private logTail(lines = 60, proc = this.processes[0]): string {
		return this.logs(proc.name).split('\n').slice(-lines).join('\n');
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

	/** POST (or another method) on n8n's internal REST API as the owner, with a JSON body; the answer's JSON. */
	async restPost<T = any>(urlPath: string, body: unknown = {}, method = 'POST'): Promise<T> {
		const res = await request(`${this.baseUrl}${urlPath}`, {
			method,
			headers: { cookie: await this.session(), 'browser-id': BROWSER_ID },
			body,
		});
		if (res.status !== 200) throw new Error(`${method} ${urlPath}: ${res.status} ${res.text.slice(0, 500)}`);
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

	/** Resident memory of n8n and its task runner (in queue mode: of all its processes), in MB (from /proc). */
	rssMB(): number {
		return Object.values(this.rssByProcess()).reduce((a, b) => a + b, 0);
	}

	/** Resident memory per process name, in MB, each with its process group (its task runner). */
	rssByProcess(): Record<string, number> {
		const rss: Record<string, number> = {};
		for (const proc of this.processes) {
			let kb = 0;
			for (const pid of proc.child?.pid ? processGroupMembers(proc.child.pid) : []) {
				const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
				kb += m ? Number(m[1]) : 0;
			}
			rss[proc.name] = Math.round(kb / 1024);
		}
		return rss;
	}

	/**
	 * Stops every process: SIGTERM to n8n (which stops its task runner), SIGKILL to the whole group if
	 * anything is left after the grace period, then waits until no process of the group remains. In
	 * queue mode, then closes the proxy, deletes the instance's Redis keys and drops its database (kept,
	 * like the logs, with HANDOFF_E2E_KEEP=1).
	 */
	async stop(graceMs = 15_000): Promise<void> {
		live.delete(this);
		const results: Array<PromiseSettledResult<unknown>> = await Promise.allSettled(
			this.processes.map((proc) => stopProcess(proc, graceMs)),
		);
		if (this.queue) {
			const { proxy, redisPrefixes, database } = this.queue;
			await proxy?.close();
			// Other runs share this Redis: remove the instance's keys (KEYS is fine on a test Redis).
			const script = "for _, p in ipairs(ARGV) do for _, k in ipairs(redis.call('KEYS', p .. ':*')) do redis.call('DEL', k) end end";
			const drop = `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`;
			const dropDatabase = ['-h', PG.host, '-p', PG.port, '-U', PG.user, '-d', 'postgres', '-qc', drop];
			const cleanups = [run('redis-cli', ['-h', REDIS.host, '-p', REDIS.port, 'EVAL', script, '0', ...redisPrefixes])];
			if (process.env.HANDOFF_E2E_KEEP !== '1') cleanups.push(run('psql', dropDatabase)); // kept with the logs
			results.push(...(await Promise.allSettled(cleanups)));
		}
		const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
		if (failed) throw failed.reason;
	}
}

/** The webhook processes and workers of a queue-mode instance, each with its own user folder. */
function queueProcesses(queue: QueueSetup, userFolder: string, env: NodeJS.ProcessEnv): N8nProcess[] {
	const processFolder = (name: string) => {
		// A user folder of its own: n8n's crash journal (.n8n/crash.journal) makes a process that finds
		// another's wait 10 s. The community package is the one in main's folder, as if installed on every machine.
		const folder = path.join(userFolder, name);
		const nodes = path.join(userFolder, '.n8n', 'nodes');
		fs.mkdirSync(nodes, { recursive: true });
		fs.mkdirSync(path.join(folder, '.n8n'), { recursive: true });
		fs.symlinkSync(nodes, path.join(folder, '.n8n', 'nodes'));
		return folder;
	};
	// `n8n webhook` starts no task runner (no needsTaskRunner in n8n 2.40.7 commands/webhook.js); workers do.
	const webhooks = queue.webhooks.map(({ port }, i): N8nProcess => {
		const name = `webhook-${i + 1}`;
		return {
			name,
			args: ['webhook'],
			userFolder: processFolder(name),
			env: { ...env, N8N_USER_FOLDER: path.join(userFolder, name), N8N_PORT: String(port) },
			logFile: path.join(userFolder, `${name}.log`),
			readinessUrl: `http://127.0.0.1:${port}/healthz/readiness`,
		};
	});
	const workers = queue.workers.map(({ healthPort, brokerPort }, i): N8nProcess => {
		const name = `worker-${i + 1}`;
		return {
			name,
			args: ['worker', `--concurrency=${queue.concurrency}`],
			userFolder: processFolder(name),
			env: {
				...env,
				N8N_USER_FOLDER: path.join(userFolder, name),
				QUEUE_HEALTH_CHECK_PORT: String(healthPort),
				N8N_RUNNERS_BROKER_PORT: String(brokerPort),
			},
			logFile: path.join(userFolder, `${name}.log`),
			readinessUrl: `http://127.0.0.1:${healthPort}/healthz/readiness`,
		};
	});
	return [...webhooks, ...workers];
}

/** SIGTERM, then SIGKILL to the group after `graceMs`; resolves once no process of the group is left. */
async function stopProcess(proc: N8nProcess, graceMs: number): Promise<void> {
	const child = proc.child;
	if (!child?.pid) return;
	const pgid = child.pid;
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
		try {
			process.kill(-pgid, 'SIGKILL');
		} catch {
			// group already empty
		}
		if (!(await gone(5_000))) throw new Error(`n8n ${proc.name} process group ${pgid} survived SIGKILL`);
	}
	await proc.exited; // reaped, so no zombie is left either
}

/** A workflow id like n8n's own (16 alphanumerics). */
function randomId(): string {
	const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
	return Array.from(randomBytes(16), (b) => abc[b % abc.length]).join('');
}

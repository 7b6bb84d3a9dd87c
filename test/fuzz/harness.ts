/**
 * Runs the hostile-input fuzz against a real n8n: the six relaying triggers (Landbot, Tiledesk,
 * LiveChat, Botpress HITL, Chatwoot, Crisp) each published in a workflow of its own (trigger → No
 * Operation), their platforms simulated (test/fakes), every delivery sent with the right secret
 * (Chatwoot's and Crisp's signed over the body each case sends).
 *
 * Per trigger it records every answer, samples n8n's memory, reads the executions n8n recorded
 * (public API) and ties each one to the case that started it (every generated delivery carries its
 * case id, which the trigger's event keeps in `raw`), then judges:
 *   - no answer >= 500 but 503 with Retry-After (push-back, counted apart), every request answered;
 *   - no execution from a body the trigger cannot read (answered 4xx/5xx, or unreadable by the contract);
 *   - every valid delivery answered 200 and started exactly one execution, which succeeded;
 *   - the number of executions is the number of answers that say one was started;
 *   - every event in an execution has the documented shape (README, "The event every trigger emits");
 *   - n8n alive at the end, /healthz 200, main-process RSS below the bound.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import * as zlib from 'zlib';

import type { IDataObject } from 'n8n-workflow';

import type { BotpressSimulator } from '../fakes';
import { ChatwootSimulator } from '../fakes/chatwoot';
import type { ChatwootSeed } from '../fakes/chatwoot';
import { CrispSimulator } from '../fakes/crisp';
import type { CrispSeed } from '../fakes/crisp';
import { contractProblems } from '../helpers/contract';
import { BOTPRESS_CREDENTIAL, BOTPRESS_NODES, SECRET_HEADER, botpressCredential, connectBotpress, startBotpress } from '../e2e/lib/botpress';
import { type LiveChatSide, LIVECHAT_CREDENTIAL, liveChatCredential, startLiveChat } from '../e2e/lib/livechat';
import { N8nInstance, packPackage, processGroupMembers, request, runDir } from '../e2e/lib/n8n';
import {
	type Platforms,
	TILEDESK_OWNER,
	landbotCredential,
	sleep,
	startPlatforms,
	tiledeskCredential,
	waitUntil,
} from '../e2e/lib/relay';
import { TEMPLATE_CREDENTIALS, type Template } from '../e2e/lib/templates';
import { CaseGenerator, type FuzzCase, MARKER, TRIGGERS, type Templates, type TriggerName, isObject } from './generator';

// ---------------------------------------------------------------- settings

export interface FuzzSettings {
	seed: number;
	/** Cases per trigger. */
	count: number;
	/** Requests in flight at once. */
	concurrency: number;
	/** Deliveries sent all at once in the flood phase, per trigger. */
	flood: number;
	/** The bound asserted on the n8n main process's peak RSS while the malformed cases run, in MB. */
	maxRssMB: number;
	/**
	 * The bound on what one flood adds to the main process's RSS, in MB: the trigger holds at most
	 * Max Deliveries Waiting (100) at once, each ~10 MB of n8n's own (an expression isolate per
	 * request), and pushes the rest back with 503 + Retry-After. RSS already grown stays grown.
	 */
	maxFloodGrowthMB: number;
	/** Per request: a relay answers when its execution has ended. */
	requestTimeoutMs: number;
}

export function settingsFromEnv(defaults: { count: number; flood: number; seed?: number }): FuzzSettings {
	const number = (name: string, fallback: number) => {
		const raw = process.env[name];
		if (raw === undefined || raw === '') return fallback;
		const value = Number(raw);
		if (!Number.isFinite(value) || value < 0) throw new Error(`${name}=${raw} is not a number`);
		return value;
	};
	return {
		seed: number('HANDOFF_FUZZ_SEED', defaults.seed ?? crypto.randomInt(1, 2 ** 31)) >>> 0,
		count: Math.floor(number('HANDOFF_FUZZ_COUNT', defaults.count)),
		concurrency: Math.max(1, Math.floor(number('HANDOFF_FUZZ_CONCURRENCY', 16))),
		flood: Math.floor(number('HANDOFF_FUZZ_FLOOD', defaults.flood)),
		maxRssMB: number('HANDOFF_FUZZ_MAX_RSS_MB', 2048),
		// Measured per flood of 200 (100 admitted, 100 pushed back): 0.8–2.2 GB, the most on a fresh n8n.
		maxFloodGrowthMB: number('HANDOFF_FUZZ_MAX_FLOOD_GROWTH_MB', 2560),
		requestTimeoutMs: number('HANDOFF_FUZZ_TIMEOUT_MS', 60_000),
	};
}

// ---------------------------------------------------------------- the target: n8n with six triggers

/** The trigger node's name in each workflow (connectBotpress finds the Botpress one by the templates' name). */
const NODE_NAMES: Record<TriggerName, string> = {
	landbot: 'Landbot Trigger',
	tiledesk: 'Tiledesk Trigger',
	livechat: 'LiveChat Trigger',
	botpress: BOTPRESS_NODES.botpressTrigger,
	chatwoot: 'Chatwoot Trigger',
	crisp: 'Crisp Trigger',
};

/** Each trigger at its newest version, as a workflow made today has it. */
const NODE_VERSIONS: Record<TriggerName, number> = { landbot: 1.1, tiledesk: 1.1, livechat: 1.1, botpress: 2, chatwoot: 1, crisp: 1 };

const CHATWOOT_CREDENTIAL = { id: 'fuzz-chatwoot-credential', name: 'Chatwoot account', type: 'chatwootApi' } as const;
const CRISP_CREDENTIAL = { id: 'fuzz-crisp-credential', name: 'Crisp account', type: 'crispApi' } as const;

/**
 * Chatwoot: `X-Chatwoot-Signature: sha256=<HMAC(secret, "<timestamp>.<body>")>`; Crisp: `X-Crisp-Signature:
 * HMAC(secret, "[<timestamp>;<body>]")` (docs/platforms). Written here, not taken from the triggers.
 */
const chatwootSignature = (secret: string, timestamp: string, body: Buffer) =>
	`sha256=${crypto.createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
const crispSignature = (secret: string, timestamp: string, body: Buffer) =>
	crypto.createHmac('sha256', secret).update(`[${timestamp};`).update(body).update(']').digest('hex');

/** A signed Chatwoot delivery of an event the trigger does not read: answered 200 once the signature checks out. */
const CHATWOOT_PROBE = Buffer.from(JSON.stringify({ event: 'conversation_typing_on', id: 0 }));

/**
 * The bytes a platform signs: the body it sends. A gzip-encoded case carries the same JSON, which n8n
 * decodes before the trigger reads it: signed over the decoded bytes, so it tests the body's
 * handling too (a body that does not decode is signed as sent; n8n refuses it before any trigger).
 */
function signedBytes(c: FuzzCase): Buffer {
	if (String(c.headers['content-encoding'] ?? '').toLowerCase() !== 'gzip') return c.body;
	try {
		return zlib.gunzipSync(c.body);
	} catch {
		return c.body;
	}
}

function workflow(trigger: TriggerName, name: string, type: string, parameters: Record<string, unknown>, credentials: Record<string, { id: string; name: string }>): Template {
	const NODE = NODE_NAMES[trigger];
	return {
		name,
		nodes: [
			{ id: crypto.randomUUID(), name: NODE, type, typeVersion: NODE_VERSIONS[trigger], parameters, credentials, webhookId: crypto.randomUUID() },
			{ id: crypto.randomUUID(), name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} },
		].map((node, i) => ({ ...node, position: [i * 220, 0] })) as unknown as Template['nodes'],
		connections: { [NODE]: { main: [[{ node: 'Done', type: 'main', index: 0 }]] } },
		active: false,
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

const ref = (c: { id: string; name: string }) => ({ id: c.id, name: c.name });

/**
 * The triggers' Options. Hold Back (Ms) 0 unless HANDOFF_FUZZ_DEFAULT_OPTIONS=1: with the default,
 * every delivery carrying a time in the past (as hostile ones do) makes the sequencer hold every
 * conversation's deliveries up to 5 s for the next 20 s, and the run would take hours. Ordering,
 * de-duplication, the execution slots and push-back stay as they are by default.
 */
const TRIGGER_OPTIONS: Record<string, unknown> = process.env.HANDOFF_FUZZ_DEFAULT_OPTIONS === '1' ? {} : { holdBackMs: 0 };
/**
 * Catch Up After Outages off (unless HANDOFF_FUZZ_DEFAULT_OPTIONS=1): it reads each conversation back
 * from the platform before its first relay, and every case is a conversation the simulator does not
 * hold; the read fails, and every message would be pushed back (503) before anything reads its body
 * past the parse.
 */
const NO_CATCH_UP: Record<string, unknown> = process.env.HANDOFF_FUZZ_DEFAULT_OPTIONS === '1' ? {} : { catchUp: false };

const CONTROL_PATH = 'fuzz-control';

export class FuzzTarget {
	n8n!: N8nInstance;
	p!: Platforms;
	lc!: LiveChatSide;
	bp!: BotpressSimulator;
	chatwoot!: ChatwootSimulator;
	chatwootSeed!: ChatwootSeed;
	/** The Chatwoot account webhook's signing secret, given when the trigger registered it at publish. */
	chatwootSecret = '';
	crisp!: CrispSimulator;
	crispSeed!: CrispSeed;
	readonly botpressSecret = crypto.randomBytes(24).toString('hex');
	workflows!: Record<TriggerName, Template>;
	workflowIds!: Record<TriggerName, string>;
	urls!: Record<TriggerName, string>;
	landbotToken = '';
	/** Tiledesk: each event's subscription secret (a delivery carries the secret of the subscription it names). */
	tiledeskSecrets: Record<string, string> = {};
	templates!: Record<TriggerName, Templates>;
	/** n8n's Webhook node, for telling n8n's own 5xx from a trigger's. */
	controlUrl = '';
	private extraEnv: Record<string, string> = {};

	/** `env`: extra environment for n8n (e.g. to try an allocator setting). */
	static async start(env: Record<string, string> = {}): Promise<FuzzTarget> {
		const t = new FuzzTarget();
		t.extraEnv = env;
		try {
			await t.setUp();
		} catch (error) {
			await t.stop();
			throw error;
		}
		return t;
	}

	private async setUp() {
		this.p = await startPlatforms({ timeScale: 0.05 });
		this.lc = await startLiveChat({ timeScale: 0.05 });
		// Newer simulators fire license webhooks only for an app installed on the license.
		(this.lc.livechat as unknown as { installApp?: (clientId: string) => void }).installApp?.(this.lc.clientId);
		this.bp = await startBotpress({ serviceHeaders: { [SECRET_HEADER]: this.botpressSecret } });
		// A delivery waits for its execution to end: Chatwoot's 5 s timeout would lose a template on a busy machine.
		this.chatwoot = await new ChatwootSimulator({ version: '4.13.0', hookTimeoutMs: 60_000 }).start();
		this.chatwootSeed = this.chatwoot.seedAccount({ name: 'Fuzz Support' });
		this.crisp = await new CrispSimulator({ timeScale: 0.05, hookTimeoutMs: 60_000 }).start();
		this.crispSeed = this.crisp.seedWebsite({ name: 'Fuzz Support' });
		this.workflows = {
			landbot: workflow(
				'landbot',
				'Fuzz: Landbot Trigger',
				'n8n-nodes-handoff.landbotTrigger',
				{
					channelId: String(this.p.channelId),
					events: ['message', 'handoffInterrupted'],
					senders: ['customer', 'agent', 'bot', 'system'],
					conversations: 'any',
					messageTypes: ['text', 'image', 'file', 'location', 'other'],
					options: TRIGGER_OPTIONS,
				},
				{ landbotApi: ref(TEMPLATE_CREDENTIALS.landbot) },
			),
			tiledesk: workflow(
				'tiledesk',
				'Fuzz: Tiledesk Trigger',
				'n8n-nodes-handoff.tiledeskTrigger',
				{ events: ['message.create', 'request.create', 'request.update', 'request.close'], authors: ['agent', 'customer', 'bot', 'system'], options: TRIGGER_OPTIONS },
				{ tiledeskApi: ref(TEMPLATE_CREDENTIALS.tiledesk) },
			),
			livechat: workflow(
				'livechat',
				'Fuzz: LiveChat Trigger',
				'n8n-nodes-handoff.liveChatTrigger',
				{ events: ['agentMessage', 'chatDeactivated', 'chatTransferred', 'incomingChat'], options: TRIGGER_OPTIONS },
				{ liveChatApi: ref(LIVECHAT_CREDENTIAL) },
			),
			botpress: workflow(
				'botpress',
				'Fuzz: Botpress HITL Trigger',
				'n8n-nodes-handoff.botpressHitlTrigger',
				{
					idSource: 'generated',
					events: ['conversationCreated', 'message', 'conversationClosed', 'userCreated'],
					messageAuthors: ['customer', 'bot'],
					options: TRIGGER_OPTIONS,
				},
				{ botpressHitlApi: ref(BOTPRESS_CREDENTIAL) },
			),
			chatwoot: workflow(
				'chatwoot',
				'Fuzz: Chatwoot Trigger',
				'n8n-nodes-handoff.chatwootTrigger',
				{
					source: 'accountWebhook',
					events: ['message', 'conversationCreated', 'conversationUpdated', 'agentAssigned', 'conversationClosed'],
					authors: ['agent', 'bot', 'customer', 'system'],
					options: { ...TRIGGER_OPTIONS, ...NO_CATCH_UP, includeNotes: true },
				},
				{ chatwootApi: ref(CHATWOOT_CREDENTIAL) },
			),
			crisp: workflow(
				'crisp',
				'Fuzz: Crisp Trigger',
				'n8n-nodes-handoff.crispTrigger',
				{
					source: 'pluginHooks',
					events: ['message', 'conversationUpdated', 'agentAssigned', 'conversationClosed'],
					authors: ['agent', 'bot', 'customer', 'system'],
					options: { ...TRIGGER_OPTIONS, ...NO_CATCH_UP, includeNotes: true },
				},
				{ crispApi: ref(CRISP_CREDENTIAL) },
			),
		};
		// n8n's own Webhook node: a 5xx it gives too comes from n8n's body parsing, before any trigger runs.
		const control: Template = {
			name: 'Fuzz: control (n8n Webhook node)',
			nodes: [
				{
					id: crypto.randomUUID(),
					name: 'Webhook',
					type: 'n8n-nodes-base.webhook',
					typeVersion: 2,
					position: [0, 0],
					parameters: { httpMethod: 'POST', path: CONTROL_PATH, responseMode: 'onReceived', options: {} },
					webhookId: crypto.randomUUID(),
				},
			] as unknown as Template['nodes'],
			connections: {},
			active: false,
			settings: { executionOrder: 'v1', saveDataSuccessExecution: 'none', saveDataErrorExecution: 'none' },
			pinData: {},
		};
		this.n8n = await N8nInstance.start({
			tarball: await packPackage(),
			credentials: [
				landbotCredential(this.p),
				tiledeskCredential(this.p),
				liveChatCredential(this.lc),
				botpressCredential(this.bp, this.botpressSecret),
				{ ...CHATWOOT_CREDENTIAL, data: { baseUrl: this.chatwoot.baseUrl, accountId: String(this.chatwootSeed.accountId), apiAccessToken: this.chatwootSeed.userToken } },
				{
					...CRISP_CREDENTIAL,
					data: {
						tier: 'plugin',
						identifier: this.crispSeed.pluginToken.identifier,
						tokenKey: this.crispSeed.pluginToken.key,
						websiteId: this.crispSeed.websiteId,
						hookSecret: this.crispSeed.pluginSecret,
						apiUrl: this.crisp.baseUrl,
					},
				},
			],
			workflows: [...TRIGGERS.map((name) => this.workflows[name]), control],
			// info: n8n's errors and warnings are what the report quotes; debug would log every step of every execution.
			// /metrics: the V8 heap beside the RSS read from /proc.
			env: { N8N_LOG_LEVEL: 'info', N8N_METRICS: 'true', ...this.extraEnv },
		});
		this.workflowIds = Object.fromEntries(TRIGGERS.map((name, i) => [name, this.n8n.workflowIds[i]])) as Record<TriggerName, string>;
		const webhookId = (name: TriggerName) => String(this.workflows[name].nodes[0].webhookId);
		this.urls = {
			landbot: this.n8n.webhookUrl(`${webhookId('landbot')}/webhook`),
			tiledesk: this.n8n.webhookUrl(`${webhookId('tiledesk')}/webhook`),
			livechat: this.n8n.webhookUrl(`${webhookId('livechat')}/webhook`),
			botpress: this.n8n.webhookUrl(webhookId('botpress')),
			chatwoot: this.n8n.webhookUrl(`${webhookId('chatwoot')}/webhook`),
			crisp: this.n8n.webhookUrl(`${webhookId('crisp')}/webhook`),
		};
		this.controlUrl = this.n8n.webhookUrl(CONTROL_PATH);
		await Promise.all([
			this.n8n.waitForWebhook(CONTROL_PATH),
			this.landbotLive(),
			this.tiledeskLive(),
			this.liveChatLive(),
			connectBotpress(this.n8n, this.bp, this.workflows.botpress),
			this.chatwootLive(),
			this.crispLive(),
		]);
		this.templates = await this.captureTemplates();
	}

	/**
	 * The triggers are live when n8n knows their secrets. The probes are deliveries the trigger
	 * reads no further than its checks: Landbot's `{"messages": []}` is answered 200, Tiledesk's and
	 * LiveChat's, signed but without the payload's fields, 400 (a secret n8n does not know yet: 401).
	 */
	private async landbotLive() {
		const url = this.urls.landbot;
		await this.n8n.waitForWebhook(url.split('/webhook/')[1]);
		await waitUntil(`the Landbot trigger at ${url} to accept its hook's token`, async () => {
			const hook = this.p.landbot.listHooks().find((h) => h.url === url);
			if (!hook) return false;
			const res = await post(url, { 'content-type': 'application/json', authorization: `Token ${hook.token}` }, Buffer.from('{"messages":[]}'), 10_000);
			if (res.status !== 200) return false;
			this.landbotToken = String(hook.token);
			return true;
		}, { timeoutMs: 90_000, pollMs: 250 });
	}

	private async tiledeskLive() {
		const url = this.urls.tiledesk;
		const events = ['message.create', 'request.create', 'request.update', 'request.close'];
		await this.n8n.waitForWebhook(url.split('/webhook/')[1]);
		await waitUntil(`the Tiledesk trigger at ${url} to accept its subscriptions' secrets`, async () => {
			const ours = this.p.tiledesk.listSubscriptions(this.p.projectId).filter((s) => s.target === url);
			if (!events.every((e) => ours.some((s) => s.event === e && typeof s.secret === 'string'))) return false;
			const answers = await Promise.all(
				ours.map((s) =>
					post(
						url,
						{ 'content-type': 'application/json', 'x-hook-secret': String(s.secret) },
						Buffer.from(JSON.stringify({ timestamp: Date.now(), hook: { _id: s._id, event: s.event, id_project: this.p.projectId }, payload: { id_project: this.p.projectId }, token: 'probe' })),
						10_000,
					),
				),
			);
			if (!answers.every((a) => a.status === 400)) return false;
			this.tiledeskSecrets = Object.fromEntries(ours.map((s) => [String(s.event), String(s.secret)]));
			return true;
		}, { timeoutMs: 90_000, pollMs: 500 });
	}

	private async liveChatLive() {
		const url = this.urls.livechat;
		const actions = ['incoming_event', 'chat_deactivated', 'chat_transferred', 'incoming_chat'];
		const { livechat } = this.lc;
		await this.n8n.waitForWebhook(url.split('/webhook/')[1]);
		await waitUntil(`the LiveChat trigger at ${url} to accept its webhooks' secrets`, async () => {
			const ours = livechat.getWebhooks().filter((w) => w.url === url);
			if (!actions.every((a) => ours.some((w) => w.action === a)) || !livechat.licenseWebhooksEnabled(this.lc.clientId)) return false;
			const answers = await Promise.all(
				ours.map((w) =>
					post(
						url,
						{ 'content-type': 'application/json' },
						Buffer.from(JSON.stringify({ webhook_id: w.id, secret_key: w.secret_key, action: w.action, organization_id: this.lc.organizationId, payload: {} })),
						10_000,
					),
				),
			);
			return answers.every((a) => a.status === 400);
		}, { timeoutMs: 90_000, pollMs: 500 });
	}

	/**
	 * Chatwoot: the trigger registered its account webhook at publish; live when n8n takes a delivery
	 * signed with that webhook's secret (an event it does not read: 200, nothing runs).
	 */
	private async chatwootLive() {
		const url = this.urls.chatwoot;
		await this.n8n.waitForWebhook(url.split('/webhook/')[1]);
		await waitUntil(`the Chatwoot trigger at ${url} to accept its account webhook's signature`, async () => {
			// Read again each time: a webhook registered afresh has a new secret.
			const webhook = this.chatwoot.listWebhooks(this.chatwootSeed.accountId).find((w) => w.url === url);
			if (!webhook || typeof webhook.secret !== 'string') return false;
			this.chatwootSecret = webhook.secret;
			const res = await post(url, this.signedHeaders('chatwoot', { 'content-type': 'application/json' }, CHATWOOT_PROBE), CHATWOOT_PROBE, 10_000);
			return res.status === 200;
		}, { timeoutMs: 90_000, pollMs: 500 });
	}

	/**
	 * Crisp has no API to register a hook: the plugin's hook is set to the trigger's URL, as a user
	 * pastes it; live when n8n takes a signed delivery of an event it does not read.
	 */
	private async crispLive() {
		const url = this.urls.crisp;
		await this.n8n.waitForWebhook(url.split('/webhook/')[1]);
		const probe = Buffer.from(JSON.stringify({ website_id: this.crispSeed.websiteId, event: 'message:compose:send', data: {}, timestamp: Date.now() }));
		await waitUntil(`the Crisp trigger at ${url} to accept a signed hook`, async () => {
			const res = await post(url, this.signedHeaders('crisp', { 'content-type': 'application/json' }, probe), probe, 10_000);
			return res.status === 200;
		}, { timeoutMs: 90_000, pollMs: 500 });
		this.crisp.setPluginHook(this.crispSeed.pluginId, url, ['message:send', 'message:received', 'session:set_state', 'session:set_routing']);
	}

	/** The headers of a delivery signed over `body` now, as the platform signs it. */
	private signedHeaders(trigger: 'chatwoot' | 'crisp', headers: Record<string, string>, body: Buffer): Record<string, string> {
		if (trigger === 'chatwoot') {
			const timestamp = String(Math.floor(Date.now() / 1000));
			return { ...headers, 'x-chatwoot-timestamp': timestamp, 'x-chatwoot-signature': chatwootSignature(this.chatwootSecret, timestamp, body) };
		}
		const timestamp = String(Date.now());
		return { ...headers, 'x-crisp-request-timestamp': timestamp, 'x-crisp-signature': crispSignature(this.crispSeed.pluginSecret, timestamp, body) };
	}

	/**
	 * One real delivery of each kind, made by the simulators the way the platforms make them and
	 * delivered to n8n (each starts one execution): the templates every case is made from.
	 */
	private async captureTemplates(): Promise<Record<TriggerName, Templates>> {
		// Chatwoot's and Crisp's meanwhile (their own simulators, workflows of their own).
		const later = Promise.all([this.chatwootTemplates(), this.crispTemplates()]);
		// (a rejection is taken when awaited below; until then it must not count as unhandled)
		later.catch(() => undefined);
		const { landbot, tiledesk } = this.p;
		// Landbot: a customer in a handoff writes.
		const customer = landbot.createCustomer({ channel_id: this.p.channelId, name: 'Fuzz Template', fields: { handoff_conversation: 'T-1' } });
		landbot.customerSays(customer.id as number, 'I need a human');
		const landbotBody = await waitUntil('the Landbot template delivery', () =>
			landbot.getDeliveries().find((d) => d.url === this.urls.landbot && d.customerId === customer.id && d.status === 200)?.body,
		);

		// Tiledesk: a conversation opened through the API, an agent message, the agent closes it.
		const requestId = `support-group-${this.p.projectId}-fuzztemplate`;
		const basic = Buffer.from(`${TILEDESK_OWNER.email}:${TILEDESK_OWNER.password}`).toString('base64');
		const opened = await request(`${tiledesk.baseUrl}/${this.p.projectId}/requests/${requestId}/messages`, {
			method: 'POST',
			headers: { authorization: `Basic ${basic}` },
			body: { text: 'Hello, I need help' },
		});
		if (opened.status !== 200) throw new Error(`Tiledesk: could not open a conversation: ${opened.status} ${opened.text}`);
		tiledesk.agentJoins(requestId, this.p.agentId);
		tiledesk.agentSays(requestId, this.p.agentId, 'Hi, I am Alice');
		tiledesk.agentCloses(requestId, this.p.agentId);
		const tiledeskBodies = await waitUntil('the Tiledesk template deliveries', () => {
			const ours = tiledesk.getDeliveries().filter((d) => d.target === this.urls.tiledesk && d.status === 200);
			const byEvent = (event: string, extra: (b: any) => boolean = () => true) => ours.find((d) => d.event === event && extra(d.body))?.body;
			const found = {
				'message.create': byEvent('message.create', (b) => b.payload.sender === this.p.agentId && !String(b.payload.attributes?.subtype ?? '').startsWith('info')),
				'request.create': byEvent('request.create'),
				'request.update': byEvent('request.update'),
				'request.close': byEvent('request.close'),
			};
			return Object.values(found).every(Boolean) ? found : undefined;
		}, { timeoutMs: 30_000 });

		// LiveChat: a customer starts a chat, an agent answers, transfers, closes.
		const { livechat } = this.lc;
		const lcCustomer = livechat.createCustomer({ name: 'Fuzz Template' });
		const chat = livechat.customerStartsChat(lcCustomer.id, { groupId: this.lc.groupId, text: 'Hello' }) as { id: string };
		livechat.agentSays(chat.id, this.lc.agentId, 'Hi, how can I help?');
		livechat.transfer(chat.id, { groupId: this.lc.groupId, requesterId: this.lc.agentId });
		livechat.deactivate(chat.id, this.lc.agentId);
		const liveChatBodies = await waitUntil('the LiveChat template deliveries', () => {
			const ours = livechat.getDeliveries().filter((d) => d.url === this.urls.livechat && d.status === 200);
			const found = Object.fromEntries(
				['incoming_event', 'incoming_chat', 'chat_deactivated', 'chat_transferred'].map((a) => [a, ours.find((d) => d.action === a)?.body]),
			);
			return Object.values(found).every(Boolean) ? found : undefined;
		}, { timeoutMs: 30_000 });

		// Botpress: a user asks for a human, writes, ends the handoff.
		const conversation = this.bp.startConversation({ name: 'Fuzz Template', email: 'fuzz@example.com' });
		await this.bp.userSays(conversation.id, 'Where is my parcel?');
		await this.bp.botSays(conversation.id, 'Let me get you a person.');
		await this.bp.startHitl(conversation.id, { title: 'Parcel', description: 'Order 1042' });
		await this.bp.userSays(conversation.id, 'Still there?');
		await this.bp.closeHitl(conversation.id);
		const calls = this.bp.getServiceCalls().filter((c) => c.status === 200);
		const botpressBodies = Object.fromEntries(
			['ping', 'createRemoteUser', 'createRemoteConversation', 'botSendsMessage', 'closeRemoteTicket'].map((p) => [p, calls.find((c) => c.path === p)?.body]),
		);
		const missing = Object.entries(botpressBodies).filter(([, b]) => !b).map(([p]) => p);
		if (missing.length) throw new Error(`Botpress: no answered call for ${missing.join(', ')}`);

		return {
			landbot: { message: landbotBody as Record<string, unknown> },
			tiledesk: tiledeskBodies as Templates,
			livechat: liveChatBodies as Templates,
			botpress: botpressBodies as Templates,
			...(await later.then(([chatwoot, crisp]) => ({ chatwoot, crisp }))),
		};
	}

	/**
	 * Chatwoot: a contact writes (the conversation is created), sends a photo; an agent replies, writes
	 * a private note; the conversation goes pending, an agent opens it, is assigned, resolves it.
	 */
	private async chatwootTemplates(): Promise<Templates> {
		const { chatwoot } = this;
		const { accountId, agents } = this.chatwootSeed;
		const wrote = chatwoot.customerWrites(accountId, { name: 'Fuzz Template', email: 'fuzz@example.com', identifier: 'fuzz-template', content: 'I need a human' });
		const conversationId = wrote.conversationId;
		const photo = { name: 'parcel.png', contentType: 'image/png', data: Buffer.from('89504e470d0a1a0a', 'hex') };
		chatwoot.customerWrites(accountId, { sourceId: wrote.sourceId, conversationId, content: 'This is what arrived', files: [photo] });
		chatwoot.agentReplies(conversationId, agents[0].id, 'Hi, I am Alice');
		chatwoot.agentReplies(conversationId, agents[0].id, 'Customer seems upset', { private: true });
		// (each body is the conversation as it was at that change, whatever order the deliveries arrive in)
		chatwoot.setStatus(conversationId, 'pending');
		chatwoot.setStatus(conversationId, 'open', { agentId: agents[0].id });
		chatwoot.assign(conversationId, agents[1].id, { byAgentId: agents[0].id });
		chatwoot.resolve(conversationId, { agentId: agents[1].id });
		return await waitUntil('the Chatwoot template deliveries', () => {
			const ours = chatwoot.getDeliveries().filter((d) => d.url === this.urls.chatwoot && d.status === 200).map((d) => d.body as Record<string, any>);
			const message = (test: (b: Record<string, any>) => boolean) => ours.find((b) => b.event === 'message_created' && test(b));
			const found: Record<string, Record<string, unknown> | undefined> = {
				incoming: message((b) => b.message_type === 'incoming' && !b.attachments?.length),
				incoming_file: message((b) => b.message_type === 'incoming' && b.attachments?.length > 0),
				outgoing: message((b) => b.message_type === 'outgoing' && b.private !== true),
				note: message((b) => b.message_type === 'outgoing' && b.private === true),
				conversation_created: ours.find((b) => b.event === 'conversation_created'),
				status_open: ours.find((b) => b.event === 'conversation_status_changed' && b.status === 'open'),
				status_resolved: ours.find((b) => b.event === 'conversation_status_changed' && b.status === 'resolved'),
				assigned: ours.find((b) => b.event === 'conversation_updated' && JSON.stringify(b.changed_attributes ?? []).includes('"assignee_id"')),
			};
			return Object.values(found).every(Boolean) ? (found as Templates) : undefined;
		}, { timeoutMs: 60_000, describe: () => chatwoot.getDeliveries().map((d) => `${d.event} ${d.status ?? d.error}`) });
	}

	/** Crisp: a visitor writes, an operator replies and writes a note, is assigned, resolves the conversation. */
	private async crispTemplates(): Promise<Templates> {
		const { crisp } = this;
		const { websiteId, operators } = this.crispSeed;
		const { sessionId } = crisp.visitorWrites(websiteId, { nickname: 'Fuzz Template', email: 'fuzz@example.com', content: 'I need a human' });
		crisp.operatorReplies(sessionId, operators[1].userId, 'Hi, I am Alice');
		crisp.operatorReplies(sessionId, operators[1].userId, 'Visitor seems upset', { type: 'note' });
		crisp.assign(sessionId, operators[1].userId);
		crisp.resolve(sessionId);
		return await waitUntil('the Crisp template deliveries', () => {
			const ours = crisp.getDeliveries().filter((d) => d.url === this.urls.crisp && d.status === 200).map((d) => d.body as Record<string, any>);
			const found: Record<string, Record<string, unknown> | undefined> = {
				'message:send': ours.find((b) => b.event === 'message:send'),
				'message:received': ours.find((b) => b.event === 'message:received' && b.data?.type === 'text'),
				note: ours.find((b) => b.event === 'message:received' && b.data?.type === 'note'),
				'session:set_state': ours.find((b) => b.event === 'session:set_state'),
				'session:set_routing': ours.find((b) => b.event === 'session:set_routing' && b.data?.routing_id),
			};
			return Object.values(found).every(Boolean) ? (found as Templates) : undefined;
		}, { timeoutMs: 60_000, describe: () => crisp.getDeliveries().map((d) => `${d.event} ${d.status ?? d.error}`) });
	}

	/** Where a case goes and the secret it carries (LiveChat's travels in the body, from its template). */
	target(c: FuzzCase): { url: string; headers: Record<string, string> } {
		switch (c.trigger) {
			case 'landbot':
				return { url: this.urls.landbot, headers: { ...c.headers, authorization: `Token ${this.landbotToken}` } };
			case 'tiledesk':
				return { url: this.urls.tiledesk, headers: { ...c.headers, 'x-hook-secret': this.tiledeskSecrets[c.kind] } };
			case 'livechat':
				return { url: this.urls.livechat, headers: { ...c.headers } };
			case 'botpress':
				return { url: `${this.urls.botpress}/${c.endpoint}`, headers: { ...c.headers, [SECRET_HEADER]: this.botpressSecret } };
			// Signed over the case's body as it is sent, at the moment it is sent.
			case 'chatwoot':
			case 'crisp':
				return { url: this.urls[c.trigger], headers: this.signedHeaders(c.trigger, c.headers, signedBytes(c)) };
		}
	}

	/** The templates as the report keeps them: secrets redacted. */
	redactedTemplates(): unknown {
		return JSON.parse(redact(JSON.stringify(this.templates), this.secrets()));
	}

	/** Secrets as they appear in a body or headers, for redaction in the report. */
	secrets(): string[] {
		const liveChat = this.lc.livechat.getWebhooks().filter((w) => w.url === this.urls.livechat).map((w) => w.secret_key);
		return [this.landbotToken, ...Object.values(this.tiledeskSecrets), ...liveChat, this.botpressSecret, this.chatwootSecret, this.crispSeed?.pluginSecret, this.chatwootSeed?.userToken].filter(
			(secret): secret is string => typeof secret === 'string' && secret !== '',
		);
	}

	alive(): boolean {
		return this.n8n.pid > 0 && processGroupMembers(this.n8n.pid).includes(this.n8n.pid);
	}

	async stop() {
		await this.n8n?.stop().catch(() => undefined);
		await Promise.all([this.p?.stop(), this.lc?.livechat.stop(), this.bp?.stop(), this.chatwoot?.stop(), this.crisp?.stop()].map((s) => s?.catch(() => undefined)));
	}
}

// ---------------------------------------------------------------- sending

export interface Answer {
	status: number;
	retryAfter?: string;
	text: string;
	ms: number;
	error?: string;
}

/** One POST with raw bytes and exactly these headers (no keep-alive, nothing added but Host and Content-Length). */
export function post(url: string, headers: Record<string, string>, body: Buffer, timeoutMs: number): Promise<Answer> {
	const started = Date.now();
	return new Promise((resolve) => {
		const req = http.request(url, { method: 'POST', headers: { ...headers, 'content-length': String(body.length) }, agent: false }, (res) => {
			const chunks: Buffer[] = [];
			let size = 0;
			res.on('data', (chunk: Buffer) => {
				size += chunk.length;
				if (size <= 64 * 1024) chunks.push(chunk);
			});
			res.on('end', () => {
				const retryAfter = res.headers['retry-after'];
				resolve({ status: res.statusCode ?? 0, retryAfter: retryAfter === undefined ? undefined : String(retryAfter), text: Buffer.concat(chunks).toString('utf8'), ms: Date.now() - started });
			});
			res.on('error', (error) => resolve({ status: 0, text: '', ms: Date.now() - started, error: String(error) }));
		});
		req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
		req.on('error', (error) => resolve({ status: 0, text: '', ms: Date.now() - started, error: String(error.message ?? error) }));
		req.end(body);
	});
}

/** Whether an answer says the trigger started an execution for the delivery. */
export function startedExecution(c: FuzzCase, answer: Answer): boolean {
	if (answer.status !== 200) return false;
	let json: unknown;
	try {
		json = answer.text === '' ? undefined : JSON.parse(answer.text);
	} catch {
		json = answer.text;
	}
	// A delivery with nothing to run (filtered, duplicate, ping, probe) is acknowledged with {received: true}.
	if (isObject(json) && json.received === true && Object.keys(json).length === 1) return false;
	// Botpress create calls are answered at once with {id}; the workflow runs after (every event is chosen here).
	if (c.trigger === 'botpress' && (c.endpoint === 'createRemoteUser' || c.endpoint === 'createRemoteConversation')) {
		return isObject(json) && typeof json.id === 'string';
	}
	// Relays are answered when their execution has ended (lastNode, no data): anything else.
	return true;
}

// ---------------------------------------------------------------- memory

export class RssSampler {
	peakMainMB = 0;
	peakGroupMB = 0;
	/** V8 heap in use (n8n's /metrics), sampled once a second: RSS also holds garbage not yet collected. */
	peakHeapMB = 0;
	samples = 0;
	private timer?: NodeJS.Timeout;
	private heapTimer?: NodeJS.Timeout;
	private heapBusy = false;

	constructor(private readonly n8n: N8nInstance) {}

	/** CPU time n8n's main process has used so far, in ms (/proc/<pid>/stat utime + stime). */
	cpuMs(): number {
		try {
			const stat = fs.readFileSync(`/proc/${this.n8n.pid}/stat`, 'utf8');
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			return Math.round(((Number(fields[11]) + Number(fields[12])) * 1000) / 100);
		} catch {
			return 0;
		}
	}

	mainMB(): number {
		try {
			const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${this.n8n.pid}/status`, 'utf8'));
			return m ? Math.round(Number(m[1]) / 1024) : 0;
		} catch {
			return 0;
		}
	}

	sample() {
		const main = this.mainMB();
		let group = 0;
		try {
			group = this.n8n.rssMB();
		} catch {
			group = main;
		}
		this.peakMainMB = Math.max(this.peakMainMB, main);
		this.peakGroupMB = Math.max(this.peakGroupMB, group);
		this.samples++;
		return main;
	}

	async heapMB(): Promise<number> {
		const res = await request(`${this.n8n.baseUrl}/metrics`, { timeoutMs: 5_000 }).catch(() => undefined);
		const m = res && /^(?:n8n_)?nodejs_heap_size_used_bytes\s+([\d.e+]+)/m.exec(res.text);
		return m ? Math.round(Number(m[1]) / 1024 / 1024) : 0;
	}

	private async sampleHeap() {
		if (this.heapBusy) return;
		this.heapBusy = true;
		try {
			this.peakHeapMB = Math.max(this.peakHeapMB, await this.heapMB());
		} finally {
			this.heapBusy = false;
		}
	}

	start(everyMs = 200): this {
		this.sample();
		this.timer = setInterval(() => this.sample(), everyMs);
		this.heapTimer = setInterval(() => void this.sampleHeap(), 1_000);
		return this;
	}

	stop() {
		if (this.timer) clearInterval(this.timer);
		if (this.heapTimer) clearInterval(this.heapTimer);
		this.sample();
	}
}

// ---------------------------------------------------------------- executions

interface ExecutionView {
	id: string;
	status: string;
	/** The cases named by the trigger's items (usually one). */
	markers: string[];
	/** What is wrong with the first ill-formed event among its items (see malformedEvent). */
	problem?: string;
	dataError?: string;
	/** The trigger's items are there (an error execution of a webhook() that threw has none). */
	ran: boolean;
	/** What n8n recorded as the execution's error (message, node, first stack frames), and when it ran. */
	error?: string;
}

/**
 * n8n's public API, waiting out a database n8n holds "not ready" (503): on a busy machine its
 * SQLite ping times out now and then, and n8n refuses API reads until a ping succeeds again.
 */
async function api<T = any>(n8n: N8nInstance, urlPath: string, waitMs = 120_000): Promise<T> {
	const deadline = Date.now() + waitMs;
	for (;;) {
		try {
			return await n8n.api<T>(urlPath);
		} catch (error) {
			if (!/: 503 .*not ready/i.test(String((error as Error).message)) || Date.now() > deadline) throw error;
			await sleep(1_000);
		}
	}
}

/** Executions of a workflow newer than `afterId`, each with the items its trigger emitted. */
async function executionsAfter(n8n: N8nInstance, trigger: TriggerName, workflowId: string, afterId: number): Promise<ExecutionView[]> {
	const views: ExecutionView[] = [];
	let cursor: string | undefined;
	do {
		const q = new URLSearchParams({ workflowId, includeData: 'true', limit: '50' });
		if (cursor) q.set('cursor', cursor);
		let page: { data: any[]; nextCursor?: string | null };
		try {
			page = await api(n8n, `/executions?${q}`);
		} catch {
			// Some execution of the page n8n cannot hand out with its data: each one on its own.
			q.set('includeData', 'false');
			page = await api(n8n, `/executions?${q}`);
			page.data = await Promise.all(page.data.map((e) => (Number(e.id) <= afterId ? e : executionAlone(n8n, e))));
		}
		let older = false;
		for (const e of page.data) {
			if (Number(e.id) <= afterId) {
				older = true;
				continue;
			}
			const runs = e.data?.resultData?.runData?.[NODE_NAMES[trigger]];
			const items: Array<Record<string, unknown>> = (runs?.[0]?.data?.main?.[0] ?? []).map((item: { json: Record<string, unknown> }) => item.json);
			const markers = [...new Set([...items.map(markerOf), ...(e.__markers ?? [])].filter((m): m is string => typeof m === 'string'))];
			// Judged here: the items (raw bodies of up to a few MB) are not kept.
			const problem = items.map(malformedEvent).find((p): p is string => p !== null);
			views.push({
				id: String(e.id),
				status: String(e.status),
				markers,
				problem,
				dataError: e.__dataError,
				ran: items.length > 0 || e.__ran === true,
				error: e.status === 'success' ? undefined : recordedError(e),
			});
		}
		// The list is newest first: once older ones show up, the rest is older still.
		cursor = older ? undefined : page.nextCursor ?? undefined;
	} while (cursor);
	return views;
}

/**
 * One execution with its data; when n8n's public API cannot give it (a 500), the editor's own API
 * (/rest, flatted data as text) still names the case: its id appears in the text.
 */
async function executionAlone(n8n: N8nInstance, e: any): Promise<any> {
	try {
		return await api(n8n, `/executions/${e.id}?includeData=true`);
	} catch (error) {
		const dataError = `GET /api/v1/executions/${e.id}?includeData=true failed: ${String((error as Error).message).slice(0, 200)}`;
		const text = await n8n
			.rest(`/rest/executions/${e.id}`)
			.then((r) => JSON.stringify(r))
			.catch(() => '');
		const markers = [...new Set([...text.matchAll(/\b((?:landbot|tiledesk|livechat|botpress|chatwoot|crisp|flood\d+)-\d+)\b/g)].map((m) => m[1]))];
		return { ...e, __dataError: dataError, __markers: markers, __ran: markers.length > 0 };
	}
}

/** n8n's record of why an execution failed, short enough for the report. */
function recordedError(e: any): string {
	const error = e.data?.resultData?.error;
	const where = `started ${e.startedAt ?? '?'}, stopped ${e.stoppedAt ?? '?'}, mode ${e.mode ?? '?'}`;
	if (!isObject(error)) return `no error recorded (${where})`;
	const stack = typeof error.stack === 'string' ? error.stack.split('\n').slice(0, 4).join(' | ') : '';
	const node = isObject(error.node) ? ` in node ${String(error.node.name)}` : '';
	return `${String(error.message ?? error.name ?? 'error')}${node}; ${where}${stack ? `; ${stack.slice(0, 600)}` : ''}`;
}

function markerOf(json: Record<string, unknown>): unknown {
	const raw = json.raw;
	return isObject(raw) ? raw[MARKER] : undefined;
}

async function latestExecutionId(n8n: N8nInstance): Promise<number> {
	const page = await api<{ data: Array<{ id: string }> }>(n8n, '/executions?includeData=false&limit=1');
	return page.data.length ? Number(page.data[0].id) : 0;
}

async function unfinishedExecutions(n8n: N8nInstance, workflowId: string): Promise<number> {
	let count = 0;
	for (const status of ['running', 'new', 'waiting']) {
		const page = await api<{ data: unknown[] }>(n8n, `/executions?workflowId=${workflowId}&status=${status}&includeData=false&limit=250`).catch(() => ({ data: [] }));
		count += page.data.length;
	}
	return count;
}

const ROLES = ['customer', 'agent', 'bot', 'system'];
/** An object the trigger turned into text ("[object Object]"; the generator never sends that text). */
const STRINGIFIED_OBJECT = /\[object \w+\]/;

/**
 * What is wrong with an event: the package's own contract (test/helpers/contract.ts, README "The
 * event every trigger emits"), ids that are stringified objects, and the roles of the history and
 * transcripts beside it. null when nothing.
 */
export function malformedEvent(json: Record<string, unknown>): string | null {
	const problems = contractProblems(json as IDataObject);
	if (problems.length > 0) return problems[0];
	const author = json.author as Record<string, unknown>;
	for (const [what, value] of [['conversationId', json.conversationId], ['customerId', json.customerId], ['author.id', author.id]] as const) {
		if (typeof value === 'string' && STRINGIFIED_OBJECT.test(value)) return `${what} is ${JSON.stringify(value.slice(0, 80))}`;
	}
	for (const key of ['history', 'transcript']) {
		const entries = json[key];
		if (entries === undefined || entries === null) continue;
		if (!Array.isArray(entries)) return `${key} is not an array`;
		for (const [i, entry] of entries.entries()) {
			if (!isObject(entry)) return `${key}[${i}] is not an object`;
			const role = isObject(entry.author) ? entry.author.role : entry.role;
			if (!ROLES.includes(role as string)) return `${key}[${i}] role is ${JSON.stringify(role) ?? String(role)}`;
		}
	}
	return null;
}

// ---------------------------------------------------------------- one trigger

export interface CaseRecord {
	id: string;
	kind: string;
	endpoint?: string;
	mutation: string;
	detail: string;
	expect: string;
	reason?: string;
	marker: string | null;
	status: number;
	retryAfter?: string;
	answer: string;
	ms: number;
	error?: string;
	started: boolean;
	bodyBytes: number;
	body: string;
	headers: Record<string, string>;
	log: [number, number];
	/** 5xx / no answer: the same bytes to n8n's own Webhook node, and sent again alone. */
	control?: number;
	replay?: number;
	replayLog?: string;
}

export interface Failure {
	check: string;
	trigger: TriggerName;
	case?: string;
	kind?: string;
	mutation?: string;
	detail?: string;
	expect?: string;
	status?: number;
	answer?: string;
	body?: string;
	headers?: Record<string, string>;
	execution?: string;
	message: string;
	log?: string;
}

export interface TriggerResult {
	trigger: TriggerName;
	deliveries: number;
	durationMs: number;
	/** CPU this test process spent making and sending the cases (the rest of the 2 cores is n8n's and others'). */
	harnessCpuMs: number;
	/** CPU n8n's main process spent meanwhile (on a machine of its own the run takes about this long). */
	n8nCpuMs: number;
	statuses: Record<string, number>;
	pushBack503: number;
	/** 5xx that n8n's own Webhook node gives for the same bytes (n8n's body parsing): reported, not the trigger's. */
	n8nStatus5xx: number;
	/** Unanswered by n8n's own Webhook node too (a non-XML body sent as XML hangs n8n's parser): reported, not the trigger's. */
	n8nNoAnswer: number;
	byExpectation: Record<string, number>;
	validSent: number;
	validStarted: number;
	answersStartingExecutions: number;
	executions: number;
	executionsByStatus: Record<string, number>;
	unattributedExecutions: number;
	rejectAcknowledged: number;
	peakRssMB: number;
	peakRssGroupMB: number;
	peakHeapMB: number;
	/** Answer time by mutation family: how much each kind of input costs n8n. */
	latency: Record<string, { n: number; meanMs: number; maxMs: number }>;
	rssBeforeMB: number;
	rssAfterMB: number;
	slowestMs: number;
	failures: Failure[];
	failureCounts: Record<string, number>;
}

const REDACTED = '<secret>';

function redact(text: string, secrets: string[]): string {
	let out = text;
	for (const secret of secrets) out = out.split(secret).join(REDACTED);
	return out;
}

function logSize(file: string): number {
	try {
		return fs.statSync(file).size;
	} catch {
		return 0;
	}
}

/** Failing cases kept in the report per trigger (the counts are complete). */
const MAX_FAILURES_KEPT = 5000;

/** How many 5xx cases per trigger are sent again alone for their log. */
const MAX_REPLAYS = 40;
/** 5xx and unanswered cases also tried on n8n's Webhook node, which tells n8n's own failures from ours. */
const MAX_CONTROLS = 1000;

/** What n8n logged between two offsets (a case sent alone): its errors with their stacks. */
function logWindow(file: string, from: number, to: number, max = 2000): string {
	if (to <= from) return '';
	const fd = fs.openSync(file, 'r');
	try {
		const length = Math.min(to - from, 256 * 1024);
		const buffer = Buffer.alloc(length);
		const read = fs.readSync(fd, buffer, 0, length, from);
		const lines = buffer.subarray(0, read).toString('utf8').split('\n').filter((l) => l.trim() !== '');
		// A stack's repeated frames (deep recursion) once, with a count.
		const out: string[] = [];
		for (const line of lines) {
			const last = out[out.length - 1];
			if (last !== undefined && last.replace(/ ×\d+$/, '') === line) {
				const n = Number(/ ×(\d+)$/.exec(last)?.[1] ?? 1) + 1;
				out[out.length - 1] = `${line} ×${n}`;
			} else out.push(line);
		}
		return out.join('\n').slice(0, max);
	} finally {
		fs.closeSync(fd);
	}
}

/** Lines of n8n's log written while a case was in flight that look like trouble. */
function logExcerpt(file: string, [from, to]: [number, number], max = 1500): string {
	if (to <= from) return '';
	const fd = fs.openSync(file, 'r');
	try {
		const length = Math.min(to - from + 4096, 2 * 1024 * 1024);
		const buffer = Buffer.alloc(length);
		const read = fs.readSync(fd, buffer, 0, length, from);
		const lines = buffer.subarray(0, read).toString('utf8').split('\n');
		const trouble = lines.filter((l) => /error|exception|warn|fail|stack|unhandled|refused|invalid/i.test(l));
		return trouble.join('\n').slice(0, max);
	} finally {
		fs.closeSync(fd);
	}
}

function latencyBy(records: CaseRecord[]): Record<string, { n: number; meanMs: number; maxMs: number }> {
	const out: Record<string, { n: number; meanMs: number; maxMs: number }> = {};
	for (const r of records) {
		const entry = (out[r.mutation] ??= { n: 0, meanMs: 0, maxMs: 0 });
		entry.meanMs = (entry.meanMs * entry.n + r.ms) / (entry.n + 1);
		entry.n++;
		entry.maxMs = Math.max(entry.maxMs, r.ms);
	}
	for (const entry of Object.values(out)) entry.meanMs = Math.round(entry.meanMs);
	return out;
}

const histogram = (values: Array<string | number>) =>
	values.reduce<Record<string, number>>((h, v) => ((h[String(v)] = (h[String(v)] ?? 0) + 1), h), {});

/** Runs `count` items through a pool of `concurrency` workers; the first error stops every worker. */
async function pool<T>(count: number, concurrency: number, make: (i: number) => T, run: (item: T) => Promise<void>) {
	let next = 0;
	let failed = false;
	await Promise.all(
		Array.from({ length: Math.min(concurrency, count) }, async () => {
			try {
				while (next < count && !failed) await run(make(next++));
			} catch (error) {
				failed = true;
				throw error;
			}
		}),
	);
}

export async function fuzzTrigger(target: FuzzTarget, trigger: TriggerName, settings: FuzzSettings): Promise<TriggerResult> {
	const { n8n } = target;
	const secrets = target.secrets();
	const generator = new CaseGenerator(trigger, { seed: settings.seed, templates: target.templates[trigger] });
	const records: CaseRecord[] = [];
	const before = await latestExecutionId(n8n);
	const rss = new RssSampler(n8n);
	const rssBeforeMB = rss.mainMB();
	rss.start();
	const started = Date.now();
	const cpu = process.cpuUsage();
	const n8nCpuBefore = rss.cpuMs();

	const suspects: Array<{ c: FuzzCase; record: CaseRecord }> = [];
	await pool(settings.count, settings.concurrency, () => generator.next(), async (c) => {
		const { url, headers } = target.target(c);
		const logFrom = logSize(n8n.logFile);
		const answer = await post(url, headers, c.body, settings.requestTimeoutMs);
		const bodyText = c.body.subarray(0, 600).toString('utf8');
		records.push({
			id: c.id,
			kind: c.kind,
			endpoint: c.endpoint,
			mutation: c.mutation,
			detail: redact(c.detail, secrets).slice(0, 300),
			expect: c.expect,
			reason: c.reason,
			marker: c.marker,
			status: answer.status,
			retryAfter: answer.retryAfter,
			answer: answer.text.slice(0, 300),
			ms: answer.ms,
			error: answer.error,
			started: startedExecution(c, answer),
			bodyBytes: c.body.length,
			body: redact(bodyText, secrets).slice(0, 300),
			headers: Object.fromEntries(Object.entries(c.headers)),
			log: [logFrom, logSize(n8n.logFile)],
		});
		if ((answer.status === 0 || answer.status >= 500) && suspects.length < MAX_CONTROLS) suspects.push({ c, record: records[records.length - 1] });
	});
	const durationMs = Date.now() - started;
	const used = process.cpuUsage(cpu);
	const harnessCpuMs = Math.round((used.user + used.system) / 1000);
	const n8nCpuMs = rss.cpuMs() - n8nCpuBefore;

	// Botpress create calls run their workflow after the answer: let every execution end.
	await waitUntil(`${trigger}: executions to finish`, async () => (await unfinishedExecutions(n8n, target.workflowIds[trigger])) === 0, {
		timeoutMs: 120_000,
		pollMs: 500,
	}).catch(() => undefined);
	await sleep(500);
	rss.stop();

	const executions = await executionsAfter(n8n, trigger, target.workflowIds[trigger], before);
	// After the count (a replay may start an error execution): the same bytes at n8n's own Webhook node,
	// then each 5xx sent again alone, for its own log. An unanswered one is not sent again when the
	// Webhook node leaves it unanswered too (n8n's body parsing: nothing the trigger can log).
	for (const [index, { c, record }] of suspects.entries()) {
		const { url, headers } = target.target(c);
		record.control = (await post(target.controlUrl, c.headers, c.body, Math.min(settings.requestTimeoutMs, 15_000))).status;
		// Every suspect is tried on n8n's Webhook node (cheap); only the first ones are sent again alone, for their log.
		if (index >= MAX_REPLAYS) continue;
		if (record.status === 0 && record.control === 0) continue;
		const from = logSize(n8n.logFile);
		record.replay = (await post(url, headers, c.body, settings.requestTimeoutMs)).status;
		await sleep(300);
		record.replayLog = redact(logWindow(n8n.logFile, from, logSize(n8n.logFile)), secrets);
	}
	return judge(trigger, records, executions, {
		durationMs,
		harnessCpuMs,
		n8nCpuMs,
		rss,
		rssBeforeMB,
		logFile: n8n.logFile,
	});
}

function judge(
	trigger: TriggerName,
	records: CaseRecord[],
	executions: ExecutionView[],
	extra: { durationMs: number; harnessCpuMs: number; n8nCpuMs: number; rss: RssSampler; rssBeforeMB: number; logFile: string },
): TriggerResult {
	const failures: Failure[] = [];
	const byId = new Map(records.map((r) => [r.id, r]));
	const caseFailure = (check: string, r: CaseRecord, message: string, execution?: string): Failure => ({
		check,
		trigger,
		case: r.id,
		kind: r.endpoint && r.endpoint !== r.kind ? `${r.kind} → /${r.endpoint}` : r.kind,
		mutation: r.mutation,
		detail: r.detail,
		expect: r.expect,
		status: r.status,
		answer: r.answer,
		body: r.body,
		headers: r.headers,
		execution,
		message,
		log: r.replayLog ?? (check.endsWith('NoAnswer') || check === 'noAnswer' || check.endsWith('5xx') ? logExcerpt(extra.logFile, r.log) : undefined),
	});

	const executionsByCase = new Map<string, ExecutionView[]>();
	let unattributed = 0;
	for (const e of executions) {
		if (e.markers.length === 0) unattributed++;
		for (const marker of e.markers) executionsByCase.set(marker, [...(executionsByCase.get(marker) ?? []), e]);
	}

	for (const r of records) {
		const pushBack = r.status === 503 && r.retryAfter !== undefined;
		const replayed = r.replay === undefined ? '' : ` (alone again: ${r.replay}; n8n's Webhook node: ${r.control})`;
		if (r.status === 0) {
			// n8n's own Webhook node does not answer these bytes either: n8n's body parsing, not the trigger.
			const check = r.control === 0 ? 'n8nNoAnswer' : 'noAnswer';
			failures.push(caseFailure(check, r, `no answer: ${r.error}${r.control === 0 ? " (n8n's Webhook node: no answer within 15 s either)" : replayed}`));
		}
		else if (r.status >= 500 && !pushBack) {
			// n8n's own Webhook node fails on these bytes as well: n8n's body parsing, not the trigger.
			const check = r.control !== undefined && r.control >= 500 ? 'n8nStatus5xx' : 'status5xx';
			failures.push(caseFailure(check, r, `answered ${r.status}${r.status === 503 ? ' without Retry-After' : ''}${replayed}`));
		}
		const ran = executionsByCase.get(r.id) ?? [];
		if (ran.length > 0 && (r.status < 200 || r.status >= 300)) {
			failures.push(caseFailure('executionFromRejected', r, `answered ${r.status} but started execution ${ran.map((e) => e.id).join(', ')}`, ran[0].id));
		} else if (ran.length > 0 && r.expect === 'reject') {
			failures.push(caseFailure('executionFromUnreadable', r, `a body the trigger cannot read (${r.reason}) started execution ${ran.map((e) => e.id).join(', ')}`, ran[0].id));
		}
		if (r.expect === 'valid') {
			const wantsExecution = r.kind !== 'ping';
			// A valid delivery pushed back (503 + Retry-After) is retried by the platform: counted, not a failure.
			if (pushBack) continue;
			if (r.status !== 200) failures.push(caseFailure('validRefused', r, `a valid delivery was answered ${r.status}`));
			else if (wantsExecution && ran.length !== 1) failures.push(caseFailure('validNotRun', r, `a valid delivery started ${ran.length} executions`));
			else if (!wantsExecution && ran.length !== 0) failures.push(caseFailure('validNotRun', r, `a ping started ${ran.length} executions`));
		}
	}
	for (const e of executions) {
		const r = e.markers.map((m) => byId.get(m)).find(Boolean);
		if (e.status !== 'success') {
			const message =
				!e.ran
					? `execution ${e.id} ended ${e.status} without trigger output (n8n records one when the trigger's webhook() throws): ${e.error}`
					: `execution ${e.id} ended ${e.status}: ${e.error}`;
			failures.push(r ? caseFailure('executionFailed', r, message, e.id) : { check: 'executionFailed', trigger, execution: e.id, message });
		}
		if (e.dataError) {
			const message = `n8n's public API cannot hand out this execution: ${e.dataError}`;
			failures.push(r ? caseFailure('executionDataUnreadable', r, message, e.id) : { check: 'executionDataUnreadable', trigger, execution: e.id, message });
		}
		if (e.problem) {
			failures.push(r ? caseFailure('malformedEvent', r, e.problem, e.id) : { check: 'malformedEvent', trigger, execution: e.id, message: e.problem });
		}
	}
	// Error executions are n8n's record of a webhook() that threw (reported above); the others must match the answers.
	const predicted = records.filter((r) => r.started).length;
	const ran = executions.filter((e) => e.ran).length;
	if (predicted !== ran) {
		failures.push({
			check: 'executionCount',
			trigger,
			message: `${ran} executions ran the workflow, but ${predicted} answers said one was started (${unattributed} executions name no case)`,
		});
	}

	const valid = records.filter((r) => r.expect === 'valid' && r.kind !== 'ping');
	return {
		trigger,
		deliveries: records.length,
		durationMs: extra.durationMs,
		harnessCpuMs: extra.harnessCpuMs,
		n8nCpuMs: extra.n8nCpuMs,
		statuses: histogram(records.map((r) => (r.status === 503 && r.retryAfter !== undefined ? '503+Retry-After' : r.status))),
		pushBack503: records.filter((r) => r.status === 503 && r.retryAfter !== undefined).length,
		n8nStatus5xx: failures.filter((f) => f.check === 'n8nStatus5xx').length,
		n8nNoAnswer: failures.filter((f) => f.check === 'n8nNoAnswer').length,
		byExpectation: histogram(records.map((r) => r.expect)),
		validSent: valid.length,
		validStarted: valid.filter((r) => (executionsByCase.get(r.id) ?? []).length > 0).length,
		answersStartingExecutions: predicted,
		executions: executions.length,
		executionsByStatus: histogram(executions.map((e) => e.status)),
		unattributedExecutions: unattributed,
		rejectAcknowledged: records.filter((r) => r.expect === 'reject' && r.status >= 200 && r.status < 300).length,
		peakRssMB: extra.rss.peakMainMB,
		peakRssGroupMB: extra.rss.peakGroupMB,
		peakHeapMB: extra.rss.peakHeapMB,
		latency: latencyBy(records),
		rssBeforeMB: extra.rssBeforeMB,
		rssAfterMB: extra.rss.mainMB(),
		slowestMs: Math.max(0, ...records.map((r) => r.ms)),
		failures: failures.slice(0, MAX_FAILURES_KEPT),
		failureCounts: histogram(failures.map((f) => f.check)),
	};
}

// ---------------------------------------------------------------- flood

export interface FloodResult {
	trigger: TriggerName;
	deliveries: number;
	durationMs: number;
	statuses: Record<string, number>;
	pushBack503: number;
	other5xx: number;
	noAnswer: number;
	answersStartingExecutions: number;
	executions: number;
	slowestMs: number;
	rssBeforeMB: number;
	peakRssMB: number;
	peakHeapMB: number;
	rssAfterMB: number;
	/** /healthz during the flood: answered within 10 s or not. */
	healthz: { probes: number; slowestMs: number; failed: number };
	failures: Failure[];
}

let floodRound = 0;

/** `count` valid deliveries for distinct conversations, all sent at once. */
export async function flood(target: FuzzTarget, trigger: TriggerName, count: number, settings: FuzzSettings): Promise<FloodResult> {
	const { n8n } = target;
	const generator = new CaseGenerator(trigger, { seed: settings.seed ^ 0x5eed, templates: target.templates[trigger], idPrefix: `flood${floodRound++}` });
	const kind = { landbot: 'message', tiledesk: 'message.create', livechat: 'incoming_event', botpress: 'botSendsMessage', chatwoot: 'outgoing', crisp: 'message:received' }[trigger];
	const cases = Array.from({ length: count }, () => generator.valid(kind));
	const before = await latestExecutionId(n8n);
	const rss = new RssSampler(n8n);
	const rssBeforeMB = rss.mainMB();
	rss.start(200);
	const started = Date.now();
	// What a load balancer's health check sees meanwhile: /healthz once a second.
	const health: number[] = [];
	let flooding = true;
	const probing = (async () => {
		while (flooding) {
			const t = Date.now();
			const ok = (await request(`${n8n.baseUrl}/healthz`, { timeoutMs: 10_000 }).catch(() => ({ status: 0 }))).status === 200;
			health.push(ok ? Date.now() - t : -1);
			await sleep(1_000);
		}
	})();
	const answers = await Promise.all(
		cases.map(async (c) => {
			const { url, headers } = target.target(c);
			return { c, answer: await post(url, headers, c.body, Math.max(settings.requestTimeoutMs, 180_000)) };
		}),
	);
	const durationMs = Date.now() - started;
	flooding = false;
	await probing;
	await waitUntil(`${trigger} flood: executions to finish`, async () => (await unfinishedExecutions(n8n, target.workflowIds[trigger])) === 0, {
		timeoutMs: 120_000,
		pollMs: 500,
	}).catch(() => undefined);
	rss.stop();
	const executions = await executionsAfter(n8n, trigger, target.workflowIds[trigger], before);
	const failures: Failure[] = answers
		.filter(({ answer }) => answer.status === 0 || (answer.status >= 500 && !(answer.status === 503 && answer.retryAfter !== undefined)))
		.map(({ c, answer }) => ({ check: answer.status === 0 ? 'noAnswer' : 'status5xx', trigger, case: c.id, status: answer.status, answer: answer.text.slice(0, 300), message: answer.error ?? `answered ${answer.status}` }));
	return {
		trigger,
		deliveries: count,
		durationMs,
		statuses: histogram(answers.map(({ answer }) => (answer.status === 503 && answer.retryAfter !== undefined ? '503+Retry-After' : answer.status))),
		pushBack503: answers.filter(({ answer }) => answer.status === 503 && answer.retryAfter !== undefined).length,
		other5xx: answers.filter(({ answer }) => answer.status >= 500 && !(answer.status === 503 && answer.retryAfter !== undefined)).length,
		noAnswer: answers.filter(({ answer }) => answer.status === 0).length,
		answersStartingExecutions: answers.filter(({ c, answer }) => startedExecution(c, answer)).length,
		executions: executions.length,
		slowestMs: Math.max(0, ...answers.map(({ answer }) => answer.ms)),
		rssBeforeMB,
		peakRssMB: rss.peakMainMB,
		peakHeapMB: rss.peakHeapMB,
		rssAfterMB: rss.mainMB(),
		healthz: { probes: health.length, slowestMs: Math.max(0, ...health), failed: health.filter((ms) => ms < 0).length },
		failures,
	};
}

// ---------------------------------------------------------------- report

export interface FuzzReport {
	seed: number;
	settings: FuzzSettings;
	startedAt: string;
	durationMs?: number;
	n8nStartMs?: number;
	n8nRssAtStartMB?: number;
	results: TriggerResult[];
	floods: FloodResult[];
	end?: { alive: boolean; healthz: number; rssMB: number };
	/** The simulators' deliveries every case was made from (secrets redacted). */
	templates?: unknown;
	reportFile?: string;
}

export function reportDir(): string {
	const dir = process.env.HANDOFF_FUZZ_REPORT_DIR || path.join(runDir(), 'fuzz');
	fs.mkdirSync(dir, { recursive: true });
	return dir;
}

export function writeReport(report: FuzzReport): string {
	const file = path.join(reportDir(), `fuzz-report-${report.seed}.json`);
	report.reportFile = file;
	fs.writeFileSync(file, JSON.stringify(report, null, 1));
	return file;
}

const pad = (value: unknown, width: number) => String(value).padEnd(width);

/** The summary table: one line per trigger, then the floods, then the failures by check. */
export function summary(report: FuzzReport): string {
	const lines: string[] = [];
	lines.push(
		`hostile-input fuzz, seed ${report.seed} (HANDOFF_FUZZ_SEED=${report.seed} replays it), ${report.settings.count} per trigger, ` +
			`${report.settings.concurrency} in flight; n8n main RSS after start ${report.n8nRssAtStartMB ?? '?'} MB, bound ${report.settings.maxRssMB} MB`,
	);
	lines.push(
		[pad('trigger', 9), pad('sent', 6), pad('valid ran', 10), pad('executions/answers', 19), pad('failures', 9), pad('n8n 5xx/hang', 13), pad('peak RSS MB', 12), pad('time', 8), 'statuses'].join(' '),
	);
	for (const r of report.results) {
		lines.push(
			[
				pad(r.trigger, 9),
				pad(r.deliveries, 6),
				pad(`${r.validStarted}/${r.validSent}`, 10),
				pad(`${r.executions}/${r.answersStartingExecutions}`, 19),
				pad(Object.entries(r.failureCounts).filter(([k]) => !k.startsWith('n8n')).reduce((a, [, b]) => a + b, 0), 9),
				pad(`${r.n8nStatus5xx}/${r.n8nNoAnswer}`, 13),
				pad(`${r.rssBeforeMB}→${r.peakRssMB}`, 12),
				pad(`${Math.round(r.durationMs / 100) / 10}s`, 8),
				JSON.stringify(r.statuses),
			].join(' '),
		);
	}
	for (const f of report.floods) {
		lines.push(
			`flood ${pad(f.trigger, 9)} ${f.deliveries} at once: ${JSON.stringify(f.statuses)} in ${f.durationMs} ms (slowest ${f.slowestMs} ms), ` +
				`${f.executions} executions, RSS ${f.rssBeforeMB} → peak ${f.peakRssMB} → ${f.rssAfterMB} MB; /healthz slowest ${f.healthz.slowestMs} ms, ${f.healthz.failed}/${f.healthz.probes} unanswered in 10 s`,
		);
	}
	for (const r of report.results) {
		for (const [check, n] of Object.entries(r.failureCounts)) {
			const first = r.failures.find((f) => f.check === check);
			lines.push(`  ${r.trigger} ${check} ×${n}: e.g. ${first?.case ?? first?.execution ?? ''} ${first?.detail ?? ''} → ${first?.message ?? ''}`.slice(0, 400));
		}
	}
	if (report.end) lines.push(`end: n8n ${report.end.alive ? 'alive' : 'DEAD'}, /healthz ${report.end.healthz}, RSS ${report.end.rssMB} MB`);
	if (report.reportFile) lines.push(`report: ${report.reportFile}`);
	return lines.join('\n');
}

export async function healthz(n8n: N8nInstance): Promise<number> {
	return (await request(`${n8n.baseUrl}/healthz`, { timeoutMs: 10_000 }).catch(() => ({ status: 0 }))).status;
}

/**
 * Landbot simulator: the Platform API (`/v1/...`) and MessageHooks delivery, as described in
 * /work/shared/reference/landbot.md ("the sheet"). It behaves like Landbot, not like our client
 * would like: trailing slashes are required, errors use Landbot's shapes, the transcript is
 * unsorted, 429s carry no Retry-After, hooks are retried on Landbot's linear schedule.
 *
 * Items the sheet leaves open are marked `CHOICE:` (our decision) or `UNCONFIRMED:` (a plausible
 * Landbot behaviour nobody could verify); each lives in one place so it is easy to change.
 *
 * Control API (no auth) for tests and people: methods on the class and HTTP routes under
 * `/_control/...` (see `controlRoutes`).
 */
import * as http from 'http';
import * as crypto from 'crypto';
import {
	Outbox,
	Router,
	Timers,
	clone,
	close,
	isObject,
	listen,
	parseJsonBody,
	queryOf,
	randomHex,
	readBody,
	sendJson,
	waitFor,
} from './http';
import type { FaultInjection } from './http';
import { injectedFault } from './http';

export type LandbotChannelType = 'landbot' | 'whatsapp' | 'facebook' | 'apichat';
export type LandbotFieldType = 'string' | 'integer' | 'float' | 'boolean' | 'date' | 'datetime' | 'object';
export type LandbotSenderType = 'customer' | 'agent' | 'bot' | 'sys';
export type LandbotAuthorType = 'user' | 'agent' | 'bot' | 'sys';

export interface LandbotSimulatorOptions {
	/** Reliability tests: refuse a share of API calls with 429/5xx before they reach the platform (see FaultInjection). */
	faults?: FaultInjection;
	/** 0 (default) = a random free port. */
	port?: number;
	host?: string;
	/** API token → agent id. Each token acts as its agent. Default: two demo agents (101, 102). */
	tokens?: Record<string, number>;
	/** Optional names/emails for the agents of `tokens`. */
	agents?: Array<{ id: number; name?: string; email?: string }>;
	/** Sheet: 10 requests/second per token. */
	rateLimitPerSecond?: number;
	/** Multiplies every delay (hook retry backoff, idle unassignment). 0.01 → 100× faster. */
	timeScale?: number;
	/** Unassign an agent-assigned conversation after this long without user/agent interaction. 0 = off. */
	idleUnassignMs?: number;
	/** Landbot documents no event for that unassignment (sheet), so by default nothing is sent. */
	sysMessageOnUnassign?: boolean;
	/** How long one hook delivery attempt may take before it counts as failed. Not scaled. */
	hookTimeoutMs?: number;
	/** Attempts per hook delivery, first included. Sheet: "6+ attempts". */
	hookMaxAttempts?: number;
	/**
	 * CHOICE: what the bot "says" when `assign_bot` is called with `launch: true` (a real bot would
	 * send the content of `node`). `false` = say nothing.
	 */
	botLaunchMessage?: false | ((botId: number, node: string | null) => string);
}

export interface LandbotAgent {
	id: number;
	name: string;
	email: string;
	token: string;
}

export interface LandbotChannel {
	id: number;
	name: string;
	type: LandbotChannelType;
	active: boolean;
	created_at: number;
}

export interface LandbotHook {
	id: number;
	channel_id: number;
	url: string;
	token: string | null;
	name: string;
	created_at: number;
	updated_at: number;
}

export interface LandbotField {
	type: LandbotFieldType;
	value: unknown;
	extra?: unknown;
}

/** One message of a conversation, as the simulator stores it. */
export interface LandbotMessage {
	uuid: string;
	customer_id: number;
	chat: number;
	type: string;
	author_type: LandbotAuthorType;
	sender: { id: number | null; name: string; type: LandbotSenderType };
	data: Record<string, unknown>;
	/** `_raw.message`: the text (or caption) of the message. */
	message: string;
	extra: Record<string, unknown>;
	/** Unix seconds, float (sheet). */
	timestamp: number;
}

export interface LandbotConversationEvent {
	at: number;
	type: 'assign' | 'unassign' | 'idle_unassign' | 'assign_bot' | 'bot_stopped';
	agent_id?: number | null;
	by?: number | null;
	bot_id?: number;
	node?: string | null;
}

interface CustomerRecord {
	id: number;
	chat: number;
	name: string;
	email: string | null;
	phone: string | null;
	channel_id: number;
	archived: boolean;
	blocked: boolean;
	opt_in: boolean;
	agent_id: number | null;
	register_date: number;
	unread: number;
	last_message: number | null;
	country: string | null;
	url: string | null;
	fields: Map<string, LandbotField>;
	/** WhatsApp only: false = outside the 24 h customer-service window. */
	whatsapp_window_open: boolean;
	bot: { id: number | null; node: string | null; active: boolean; launched: boolean };
	messages: LandbotMessage[];
	events: LandbotConversationEvent[];
	idleTimer?: NodeJS.Timeout;
}

export interface LandbotCustomerState {
	customer: Record<string, unknown>;
	agent_id: number | null;
	bot: { id: number | null; node: string | null; active: boolean; launched: boolean };
	whatsapp_window_open: boolean;
	/** Chronological. */
	messages: LandbotMessage[];
	events: LandbotConversationEvent[];
}

export interface LandbotApiCall {
	/** Refused by fault injection, not by the platform. */
	injected?: boolean;
	at: number;
	method: string;
	path: string;
	query: Record<string, string>;
	headers: http.IncomingHttpHeaders;
	body: unknown;
	status?: number;
	agentId?: number;
}

export interface LandbotDeliveryAttempt {
	deliveryId: string;
	hookId: number;
	url: string;
	customerId: number;
	messageUuid: string;
	attempt: number;
	at: number;
	/** HTTP status, or null on a connection error / timeout. */
	status: number | null;
	error?: string;
	headers: Record<string, string>;
	body: unknown;
	/** Delay before the next attempt, if one is scheduled. */
	retryInMs?: number;
	/** True when this was the last attempt and it failed. */
	gaveUp?: boolean;
}

export interface CreateCustomerInput {
	channel_id: number;
	id?: number;
	name?: string;
	email?: string | null;
	phone?: string | null;
	country?: string | null;
	url?: string | null;
	archived?: boolean;
	opt_in?: boolean;
	agent_id?: number | null;
	/** Plain values get a type inferred from JS; `{type, value}` sets it explicitly. */
	fields?: Record<string, unknown>;
	whatsapp_window_open?: boolean;
	bot?: { id: number; node?: string | null; active?: boolean };
}

export type CustomerSaysInput =
	| string
	| { text?: string; image?: string; url?: string; caption?: string; latitude?: number; longitude?: number };

export type BotSaysInput = string | { text: string; buttons?: string[] };

/** A Webhook block of the bot: where it sends what (strings may hold `@variables`). */
export interface WebhookBlockInput {
	url: string;
	/** Default POST. */
	method?: string;
	headers?: Record<string, string>;
	/** JSON body; `@id`, `@name`, `@email`, `@phone` and `@<custom field>` are replaced in strings. */
	body?: unknown;
	/** Not scaled; default 10 s. */
	timeoutMs?: number;
}

/** One call a Webhook block made, and what it got back. */
export interface WebhookBlockCall {
	at: number;
	customerId: number;
	method: string;
	url: string;
	headers: Record<string, string>;
	body: unknown;
	/** HTTP status, or null on a connection error / timeout. */
	status: number | null;
	response?: unknown;
	error?: string;
}

interface Reply {
	status: number;
	body?: unknown;
	headers?: Record<string, string>;
}

interface ApiContext {
	agent: LandbotAgent;
	params: Record<string, string>;
	query: Record<string, string>;
	body: any;
}

interface Delivery {
	id: string;
	hook: LandbotHook;
	customerId: number;
	messageUuid: string;
	body: { messages: unknown[] };
	sentryTrace: string;
	attempts: number;
}

const CHANNEL_TYPES: LandbotChannelType[] = ['landbot', 'whatsapp', 'facebook', 'apichat'];
const FIELD_TYPES: LandbotFieldType[] = ['string', 'integer', 'float', 'boolean', 'date', 'datetime', 'object'];
/** Sheet: field names match `^[a-z0-9_]+$`. */
const FIELD_NAME = /^[a-z0-9_]+$/;
/** Sheet: MessageHooks "Fires for web (`landbot`) and WhatsApp channels". */
const HOOK_CHANNEL_TYPES: LandbotChannelType[] = ['landbot', 'whatsapp'];
/** Sheet: retries on a linear backoff of about 5, 10, 15, 20, 25 s. */
const HOOK_RETRY_STEP_MS = 5000;
/** Customer keys of a hook payload that a custom field may not override. */
const HOOK_CUSTOMER_CORE_KEYS = ['id', 'agent_id', 'archived', 'name'];

/**
 * UNCONFIRMED: Landbot's answer when a message hook is created on a channel type that does not
 * fire hooks (facebook, apichat). Status and text are our guess in Landbot's error shape.
 */
const HOOK_UNSUPPORTED_CHANNEL: Reply = {
	status: 400,
	body: { errors: { channel: ['MessageHooks are only available for web (landbot) and WhatsApp channels.'] } },
};

/**
 * Sheet: "WhatsApp: only inside the 24 h window (412/403 otherwise)". CHOICE: 412; the text is ours.
 */
const WHATSAPP_WINDOW_CLOSED: Reply = {
	status: 412,
	body: {
		errors: {
			whatsapp: ['The 24h customer service window is closed: only template messages can be sent.'],
		},
	},
};

/** Sheet: 412 when another agent owns the customer. The text is ours. */
const OWNED_BY_ANOTHER_AGENT: Reply = {
	status: 412,
	body: { errors: { agent: ['This customer is assigned to another agent.'] } },
};

const INVALID_TOKEN: Reply = { status: 401, body: { detail: 'Invalid token.' } };
/** Sheet: 429 `{"errors":{"rate":["Too many requests"]}}`, with no Retry-After header. */
const TOO_MANY_REQUESTS: Reply = { status: 429, body: { errors: { rate: ['Too many requests'] } } };
/** Django REST framework's answer for a path that matches no route. */
const NOT_FOUND_PATH: Reply = { status: 404, body: { detail: 'Not found.' } };

const notFound = (what: string): Reply => ({ status: 404, body: { errors: { [what]: ['Not found.'] } } });
const badRequest = (field: string, message: string): Reply => ({
	status: 400,
	body: { errors: { [field]: [message] } },
});
const ok = (body: unknown = { success: true }): Reply => ({ status: 200, body });

const DEFAULT_TOKENS: Record<string, number> = {
	'landbot-token-agent-101': 101,
	'landbot-token-agent-102': 102,
};

/** "YYYY-MM-DD HH:MM:SS" in UTC (sheet: transcript `message_datetime`). */
function landbotDatetime(seconds: number): string {
	return new Date(Math.floor(seconds) * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

function parseId(value: string): number | undefined {
	return /^\d+$/.test(value) ? Number(value) : undefined;
}

function parseBool(value: string | undefined): boolean | undefined {
	if (value === undefined) return undefined;
	if (['true', 'True', '1'].includes(value)) return true;
	if (['false', 'False', '0'].includes(value)) return false;
	return undefined;
}

/** Coerces a custom field value to its type; returns an error message when it does not fit. */
function coerceField(type: LandbotFieldType, value: unknown): { value: unknown } | { error: string } {
	switch (type) {
		case 'string':
			if (typeof value === 'string') return { value };
			if (typeof value === 'number' || typeof value === 'boolean') return { value: String(value) };
			return { error: 'Not a valid string.' };
		case 'integer': {
			if (typeof value === 'number' && Number.isInteger(value)) return { value };
			if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return { value: Number(value) };
			return { error: 'A valid integer is required.' };
		}
		case 'float': {
			if (typeof value === 'number' && Number.isFinite(value)) return { value };
			if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
				return { value: Number(value) };
			}
			return { error: 'A valid number is required.' };
		}
		case 'boolean':
			if (typeof value === 'boolean') return { value };
			if (value === 'true' || value === 'false') return { value: value === 'true' };
			return { error: 'Must be a valid boolean.' };
		case 'date':
			if (
				typeof value === 'string' &&
				/^\d{4}-\d{2}-\d{2}$/.test(value) &&
				!Number.isNaN(Date.parse(`${value}T00:00:00Z`))
			) {
				return { value };
			}
			return { error: 'Date has wrong format. Use one of these formats instead: YYYY-MM-DD.' };
		case 'datetime':
			if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(value) && !Number.isNaN(Date.parse(value))) {
				return { value };
			}
			return { error: 'Datetime has wrong format. Use ISO 8601.' };
		case 'object':
			if (isObject(value)) return { value };
			return { error: 'Must be a JSON object.' };
	}
}

function inferFieldType(value: unknown): LandbotFieldType {
	if (typeof value === 'boolean') return 'boolean';
	if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'float';
	if (isObject(value)) return 'object';
	return 'string';
}

export class LandbotSimulator {
	private options: Required<Omit<LandbotSimulatorOptions, 'agents' | 'botLaunchMessage'>> & {
		botLaunchMessage: false | ((botId: number, node: string | null) => string);
	};
	private server: http.Server | undefined;
	private port = 0;
	private router = new Router<(ctx: ApiContext) => Reply>();
	private timers = new Timers();
	private outbox = new Outbox();
	private stopped = false;

	private agents = new Map<number, LandbotAgent>();
	private agentByToken = new Map<string, LandbotAgent>();
	private channels = new Map<number, LandbotChannel>();
	private hooks = new Map<number, LandbotHook>();
	private customers = new Map<number, CustomerRecord>();
	private rateWindows = new Map<string, number[]>();
	private queues = new Map<string, { items: Delivery[]; running: boolean }>();
	private calls: LandbotApiCall[] = [];
	private attempts: LandbotDeliveryAttempt[] = [];
	private webhookBlockCalls: WebhookBlockCall[] = [];
	/** Files the customer uploaded (see `hostMedia`), by URL path. */
	private media = new Map<string, { name: string; contentType: string; data: Buffer }>();
	private nextIds = { channel: 0, customer: 0, hook: 0 };
	private lastTimestamp = 0;
	private agentSeed: LandbotSimulatorOptions['agents'];

	constructor(options: LandbotSimulatorOptions = {}) {
		this.options = this.resolveOptions(options);
		this.agentSeed = options.agents;
		this.resetState();
		this.registerRoutes();
	}

	/** Starts the server. Options given here override the constructor's. */
	async start(options: LandbotSimulatorOptions = {}): Promise<this> {
		if (Object.keys(options).length > 0) {
			this.options = this.resolveOptions({ ...this.options, ...options });
			if (options.agents) this.agentSeed = options.agents;
			if (options.tokens || options.agents) this.loadAgents();
		}
		this.stopped = false;
		this.server = http.createServer((req, res) => {
			this.handle(req, res).catch((err) => {
				sendJson(res, 500, { detail: `Simulator error: ${String(err?.message ?? err)}` });
			});
		});
		this.port = await listen(this.server, this.options.port, this.options.host);
		return this;
	}

	async stop(): Promise<void> {
		this.stopped = true;
		this.timers.clearAll();
		this.outbox.abortAll();
		for (const queue of this.queues.values()) queue.items.length = 0;
		if (this.server) await close(this.server);
		this.server = undefined;
	}

	/** API root, e.g. `http://127.0.0.1:4501/v1` (no trailing slash; every path adds its own). */
	get baseUrl(): string {
		return `${this.origin}/v1`;
	}

	get origin(): string {
		return `http://${this.options.host}:${this.port}`;
	}

	get controlUrl(): string {
		return `${this.origin}/_control`;
	}

	/** Tokens the simulator accepts, token → agent id. */
	get tokens(): Record<string, number> {
		return { ...this.options.tokens };
	}

	static readonly controlRoutes = [
		'GET    /_control                          this list',
		'POST   /_control/reset                    forget channels, customers, hooks, calls, deliveries',
		'POST   /_control/agents                   {token, id, name?, email?}',
		'POST   /_control/channels                 {name, type: landbot|whatsapp|facebook|apichat}',
		'POST   /_control/customers                {channel_id, name?, email?, fields?, whatsapp_window_open?, agent_id?, bot?}',
		'GET    /_control/customers/:id            conversation state and messages',
		'PATCH  /_control/customers/:id            {whatsapp_window_open?, name?, archived?}',
		'POST   /_control/customers/:id/says       {text} | {image, caption?} | {latitude, longitude}',
		'POST   /_control/customers/:id/bot_says   {text, buttons?}',
		'GET    /_control/calls                    recorded API calls',
		'GET    /_control/deliveries               hook delivery attempts',
		'PATCH  /_control/options                  {rateLimitPerSecond?, idleUnassignMs?, sysMessageOnUnassign?, timeScale?, hookTimeoutMs?, hookMaxAttempts?}',
		'POST   /_control/customers/:id/webhook_block  {url, method?, headers?, body?}: the bot runs a Webhook block',
		'GET    /_control/webhook_blocks           calls made by Webhook blocks',
		'POST   /_control/media                    {name, content_type?, base64}: host a file → {url} (GET, no auth)',
	];

	// ---------------------------------------------------------------- control API (methods)

	addAgent(agent: { id: number; token: string; name?: string; email?: string }): LandbotAgent {
		const record: LandbotAgent = {
			id: agent.id,
			token: agent.token,
			name: agent.name ?? `Agent ${agent.id}`,
			email: agent.email ?? `agent${agent.id}@example.com`,
		};
		const previous = this.agents.get(agent.id);
		if (previous) this.agentByToken.delete(previous.token);
		this.agents.set(record.id, record);
		this.agentByToken.set(record.token, record);
		this.options.tokens = { ...this.options.tokens, [record.token]: record.id };
		return { ...record };
	}

	createChannel(input: { name: string; type: LandbotChannelType; id?: number; active?: boolean }): LandbotChannel {
		if (!CHANNEL_TYPES.includes(input.type)) throw new Error(`unknown channel type ${input.type}`);
		const id = input.id ?? this.nextId('channel');
		const channel: LandbotChannel = {
			id,
			name: input.name,
			type: input.type,
			active: input.active ?? true,
			created_at: Math.floor(Date.now() / 1000),
		};
		this.channels.set(id, channel);
		return { ...channel };
	}

	createCustomer(input: CreateCustomerInput): Record<string, unknown> {
		const channel = this.channels.get(Number(input.channel_id));
		if (!channel) throw new Error(`unknown channel ${input.channel_id}`);
		const id = input.id ?? this.nextId('customer');
		if (this.customers.has(id)) throw new Error(`customer ${id} exists`);
		const fields = new Map<string, LandbotField>();
		for (const [name, raw] of Object.entries(input.fields ?? {})) {
			if (!FIELD_NAME.test(name)) throw new Error(`bad field name ${name}`);
			const explicit = isObject(raw) && typeof raw.type === 'string' && 'value' in raw;
			const type = explicit ? (raw.type as LandbotFieldType) : inferFieldType(raw);
			const coerced = coerceField(type, explicit ? raw.value : raw);
			if ('error' in coerced) throw new Error(`field ${name}: ${coerced.error}`);
			fields.set(name, { type, value: coerced.value });
		}
		const record: CustomerRecord = {
			id,
			chat: id + 100000,
			name: input.name ?? '',
			email: input.email ?? null,
			phone: input.phone ?? null,
			channel_id: channel.id,
			archived: input.archived ?? false,
			blocked: false,
			opt_in: input.opt_in ?? true,
			agent_id: input.agent_id ?? null,
			register_date: Math.floor(Date.now() / 1000),
			unread: 0,
			last_message: null,
			country: input.country ?? null,
			url: input.url ?? (channel.type === 'landbot' ? `https://landbot.site/v3/H-${channel.id}/index.html` : null),
			fields,
			whatsapp_window_open: input.whatsapp_window_open ?? true,
			bot: {
				id: input.bot?.id ?? null,
				node: input.bot?.node ?? null,
				active: input.bot ? input.bot.active ?? true : input.agent_id == null,
				launched: false,
			},
			messages: [],
			events: [],
		};
		this.customers.set(id, record);
		if (record.agent_id != null) this.scheduleIdleUnassign(record);
		return this.customerView(record);
	}

	/** The customer writes in the chat: stored and delivered through the channel's hooks. */
	customerSays(customerId: number, input: CustomerSaysInput): LandbotMessage {
		const customer = this.requireCustomer(customerId);
		const sender = { id: customer.id, name: customer.name, type: 'customer' as const };
		const message = this.buildMessage(customer, 'user', sender, input);
		customer.unread += 1;
		this.postMessage(customer, message, true);
		return clone(message);
	}

	/** The bot writes in the chat (whatever its state): stored and delivered through the hooks. */
	botSays(customerId: number, input: BotSaysInput): LandbotMessage {
		const customer = this.requireCustomer(customerId);
		const channel = this.channels.get(customer.channel_id)!;
		const sender = { id: customer.bot.id ?? channel.id, name: channel.name, type: 'bot' as const };
		const message =
			typeof input === 'object' && input.buttons
				? this.rawMessage(customer, 'bot', sender, 'dialog', { body: input.text, buttons: input.buttons }, input.text)
				: this.buildMessage(customer, 'bot', sender, typeof input === 'string' ? input : input.text);
		this.postMessage(customer, message, false);
		return clone(message);
	}

	/**
	 * Changes options of a running simulator (rate limit, idle unassignment, hook timing...). Timers
	 * already set keep their delay; conversations pick the new values up from their next event.
	 */
	/** Reliability tests: from now on refuse this share of API calls (see FaultInjection); `{rate: 0}` stops. */
	setFaults(faults: FaultInjection): void {
		this.options.faults = faults;
	}

	configure(options: Omit<LandbotSimulatorOptions, 'port' | 'host' | 'tokens' | 'agents'>): void {
		const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
		this.options = { ...this.options, ...defined } as LandbotSimulator['options'];
	}

	/**
	 * The bot runs a Webhook block (Landbot's guide, step 1: the bot asks the middle service to open
	 * the helpdesk conversation): a request from Landbot's servers with the block's URL, headers and
	 * body, `@variables` replaced by the customer's values. Resolves with what the block received.
	 * CHOICE: the response is not stored into bot variables; a failure does not stop anything.
	 */
	async webhookBlock(customerId: number, input: WebhookBlockInput): Promise<WebhookBlockCall> {
		const customer = this.requireCustomer(customerId);
		const method = (input.method ?? 'POST').toUpperCase();
		const url = this.resolveVariables(customer, input.url) as string;
		const headers = this.resolveVariables(customer, input.headers ?? {}) as Record<string, string>;
		const body = input.body === undefined ? undefined : this.resolveVariables(customer, input.body);
		const call: WebhookBlockCall = { at: Date.now(), customerId: customer.id, method, url, headers, body, status: null };
		this.webhookBlockCalls.push(call);
		try {
			const res = await this.outbox.request(url, {
				method,
				headers: { 'User-Agent': 'landbot/webhooks', ...headers },
				body: method === 'GET' ? undefined : body ?? {},
				timeoutMs: input.timeoutMs ?? 10000,
			});
			call.status = res.status;
			call.response = res.body;
		} catch (err) {
			call.error = String((err as Error)?.message ?? err);
		}
		return clone(call);
	}

	/**
	 * Hosts a file the way Landbot keeps what customers upload (an image sent in the chat): a public
	 * URL under `/media/`, answered without auth, that `customerSays(id, {image: url})` can carry and
	 * a relay can download. CHOICE: the real storage host and URL form are not documented.
	 */
	hostMedia(input: { name: string; contentType?: string; data: Buffer | string }): string {
		const name = input.name.replace(/[\/\\]/g, '_') || 'file';
		const path = `/media/${crypto.randomBytes(8).toString('hex')}/${encodeURIComponent(name)}`;
		const data = typeof input.data === 'string' ? Buffer.from(input.data, 'utf8') : Buffer.from(input.data);
		this.media.set(path, { name, contentType: input.contentType ?? 'application/octet-stream', data });
		return `${this.origin}${path}`;
	}

	getWebhookBlockCalls(): WebhookBlockCall[] {
		return clone(this.webhookBlockCalls);
	}

	setWhatsappWindow(customerId: number, open: boolean): void {
		this.requireCustomer(customerId).whatsapp_window_open = open;
	}

	getCustomerState(customerId: number): LandbotCustomerState {
		const customer = this.requireCustomer(customerId);
		return clone({
			customer: this.customerView(customer),
			agent_id: customer.agent_id,
			bot: customer.bot,
			whatsapp_window_open: customer.whatsapp_window_open,
			messages: customer.messages,
			events: customer.events,
		});
	}

	listChannels(): LandbotChannel[] {
		return clone([...this.channels.values()]);
	}

	listHooks(channelId?: number): LandbotHook[] {
		return clone([...this.hooks.values()].filter((h) => channelId === undefined || h.channel_id === channelId));
	}

	getCalls(): LandbotApiCall[] {
		return clone(this.calls);
	}

	getDeliveries(): LandbotDeliveryAttempt[] {
		return clone(this.attempts);
	}

	/** Resolves when no hook delivery is pending or waiting for a retry. */
	async idle(timeoutMs = 10000): Promise<void> {
		await waitFor(() => [...this.queues.values()].every((q) => q.items.length === 0), timeoutMs);
	}

	/** Forgets channels, customers, hooks, calls and deliveries (agents and tokens stay). */
	reset(): void {
		this.timers.clearAll();
		this.outbox.abortAll();
		for (const queue of this.queues.values()) queue.items.length = 0;
		this.resetState();
	}

	// ---------------------------------------------------------------- internals: state

	private resolveOptions(options: LandbotSimulatorOptions): LandbotSimulator['options'] {
		return {
			port: options.port ?? 0,
			host: options.host ?? '127.0.0.1',
			tokens: options.tokens ?? DEFAULT_TOKENS,
			rateLimitPerSecond: options.rateLimitPerSecond ?? 10,
			timeScale: options.timeScale ?? 1,
			idleUnassignMs: options.idleUnassignMs ?? 0,
			sysMessageOnUnassign: options.sysMessageOnUnassign ?? false,
			hookTimeoutMs: options.hookTimeoutMs ?? 10000,
			hookMaxAttempts: options.hookMaxAttempts ?? 6,
			faults: options.faults ?? { rate: 0 },
			botLaunchMessage:
				options.botLaunchMessage ??
				((botId: number, node: string | null) => `Bot ${botId} started at ${node ?? 'the start'}`),
		};
	}

	private resetState(): void {
		this.channels.clear();
		this.hooks.clear();
		this.customers.clear();
		this.rateWindows.clear();
		this.queues.clear();
		this.calls = [];
		this.attempts = [];
		this.webhookBlockCalls = [];
		this.media.clear();
		this.nextIds = { channel: 2955839, customer: 473548615, hook: 0 };
		this.loadAgents();
	}

	private loadAgents(): void {
		this.agents.clear();
		this.agentByToken.clear();
		for (const [token, id] of Object.entries(this.options.tokens)) {
			const seed = this.agentSeed?.find((a) => a.id === id);
			const agent: LandbotAgent = {
				id,
				token,
				name: seed?.name ?? `Agent ${id}`,
				email: seed?.email ?? `agent${id}@example.com`,
			};
			this.agents.set(id, agent);
			this.agentByToken.set(token, agent);
		}
	}

	private nextId(kind: 'channel' | 'customer' | 'hook'): number {
		this.nextIds[kind] += 1;
		return this.nextIds[kind];
	}

	private requireCustomer(id: number): CustomerRecord {
		const customer = this.customers.get(Number(id));
		if (!customer) throw new Error(`unknown customer ${id}`);
		return customer;
	}

	private customerView(c: CustomerRecord): Record<string, unknown> {
		const custom_fields: Record<string, unknown> = {};
		for (const [name, field] of c.fields) custom_fields[name] = clone(field.value);
		return {
			id: c.id,
			name: c.name,
			email: c.email,
			phone: c.phone,
			channel_id: c.channel_id,
			archived: c.archived,
			blocked: c.blocked,
			opt_in: c.opt_in,
			agent_id: c.agent_id,
			unread: c.unread,
			// UNCONFIRMED: the sheet names `last_message` without its type; we give the Unix time (float).
			last_message: c.last_message,
			register_date: c.register_date,
			custom_fields,
		};
	}

	/** The bot's variables for `@name` references: the customer's own, then its custom fields. */
	private variables(c: CustomerRecord): Record<string, unknown> {
		const vars: Record<string, unknown> = { id: c.id, name: c.name, email: c.email, phone: c.phone };
		for (const [name, field] of c.fields) if (!(name in vars)) vars[name] = clone(field.value);
		return vars;
	}

	/**
	 * Replaces `@variable` references in the strings of `value`. A string that is exactly one
	 * reference takes the variable's value as it is (a number stays a number); inside longer text it
	 * is written as text. Unknown variables are left as they are.
	 */
	private resolveVariables(c: CustomerRecord, value: unknown): unknown {
		const vars = this.variables(c);
		const resolve = (v: unknown): unknown => {
			if (typeof v === 'string') {
				const whole = /^@([a-z0-9_]+)$/.exec(v);
				if (whole && whole[1] in vars) return vars[whole[1]] ?? '';
				return v.replace(/@([a-z0-9_]+)/g, (ref, name: string) => {
					if (!(name in vars)) return ref;
					const found = vars[name];
					if (found === null || found === undefined) return '';
					return typeof found === 'object' ? JSON.stringify(found) : String(found);
				});
			}
			if (Array.isArray(v)) return v.map(resolve);
			if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
			return v;
		};
		return resolve(value);
	}

	/** The `customer` object of a hook payload: custom fields as extra keys, types loose (sheet). */
	private hookCustomer(c: CustomerRecord): Record<string, unknown> {
		const out: Record<string, unknown> = {
			id: c.id,
			agent_id: c.agent_id,
			archived: c.archived,
			name: c.name,
		};
		if (c.country !== null) out.country = c.country;
		if (c.url !== null) out.url = c.url;
		if (c.email !== null) out.email = c.email;
		if (c.phone !== null) out.phone = c.phone;
		for (const [name, field] of c.fields) {
			if (HOOK_CUSTOMER_CORE_KEYS.includes(name)) continue;
			// Sheet: "types may be loose: strings for numbers".
			out[name] =
				field.type === 'integer' || field.type === 'float' ? String(field.value) : clone(field.value);
		}
		return out;
	}

	private nextTimestamp(): number {
		let ts = Math.round(Date.now() * 1000) / 1e6;
		if (ts <= this.lastTimestamp) ts = Math.round((this.lastTimestamp + 0.000001) * 1e6) / 1e6;
		this.lastTimestamp = ts;
		return ts;
	}

	private rawMessage(
		customer: CustomerRecord,
		author: LandbotAuthorType,
		sender: LandbotMessage['sender'],
		type: string,
		data: Record<string, unknown>,
		text: string,
		extra: Record<string, unknown> = {},
	): LandbotMessage {
		return {
			uuid: crypto.randomUUID(),
			customer_id: customer.id,
			chat: customer.chat,
			type,
			author_type: author,
			sender,
			data,
			message: text,
			extra,
			timestamp: this.nextTimestamp(),
		};
	}

	private buildMessage(
		customer: CustomerRecord,
		author: LandbotAuthorType,
		sender: LandbotMessage['sender'],
		input: CustomerSaysInput,
	): LandbotMessage {
		if (typeof input === 'string') return this.rawMessage(customer, author, sender, 'text', { body: input }, input);
		const imageUrl = input.image ?? input.url;
		if (imageUrl) {
			const data: Record<string, unknown> = { url: imageUrl };
			if (input.caption) data.caption = input.caption;
			return this.rawMessage(customer, author, sender, 'image', data, input.caption ?? '', { url: imageUrl });
		}
		if (input.latitude !== undefined && input.longitude !== undefined) {
			return this.rawMessage(
				customer,
				author,
				sender,
				'location',
				{ latitude: input.latitude, longitude: input.longitude },
				'',
			);
		}
		const text = input.text ?? '';
		return this.rawMessage(customer, author, sender, 'text', { body: text }, text);
	}

	/** The message as MessageHooks deliver it (sheet's sample delivery). */
	private hookMessage(customer: CustomerRecord, m: LandbotMessage): Record<string, unknown> {
		const channel = this.channels.get(customer.channel_id)!;
		return {
			type: m.type,
			timestamp: m.timestamp,
			data: clone(m.data),
			sender: { ...m.sender },
			customer: this.hookCustomer(customer),
			channel: { id: channel.id, name: channel.name, type: channel.type },
			_raw: {
				uuid: m.uuid,
				chat: m.chat,
				type: m.type,
				author_type: m.author_type,
				samurai: m.author_type === 'agent' ? m.sender.id : null,
				seq: null,
				read: false,
				rich_text: null,
				message: m.message,
				extra: clone(m.extra),
			},
		};
	}

	/** A transcript entry. UNCONFIRMED beyond `type`, `message`, `message_datetime`: the `_raw` fields. */
	private transcriptMessage(m: LandbotMessage): Record<string, unknown> {
		return {
			uuid: m.uuid,
			chat: m.chat,
			type: m.type,
			author_type: m.author_type,
			samurai: m.author_type === 'agent' ? m.sender.id : null,
			message: m.message,
			data: clone(m.data),
			extra: clone(m.extra),
			read: false,
			message_datetime: landbotDatetime(m.timestamp),
		};
	}

	/** Stores a message, counts it as interaction if a person wrote it, delivers it to hooks. */
	private postMessage(customer: CustomerRecord, message: LandbotMessage, interaction: boolean): void {
		customer.messages.push(message);
		customer.last_message = message.timestamp;
		if (interaction && customer.agent_id != null) this.scheduleIdleUnassign(customer);
		const channel = this.channels.get(customer.channel_id)!;
		if (!HOOK_CHANNEL_TYPES.includes(channel.type)) return;
		const payload = { messages: [this.hookMessage(customer, message)] };
		for (const hook of this.hooks.values()) {
			if (hook.channel_id !== channel.id) continue;
			this.enqueue({
				id: crypto.randomUUID(),
				hook,
				customerId: customer.id,
				messageUuid: message.uuid,
				body: clone(payload),
				// Sheet: sentry-trace is unique per message and stable across retries (Landbot webhook reference).
				sentryTrace: `${randomHex(16)}-${randomHex(8)}-0`,
				attempts: 0,
			});
		}
	}

	private assignTo(customer: CustomerRecord, agentId: number, by: number): void {
		customer.agent_id = agentId;
		if (customer.bot.active) {
			// CHOICE: a human taking the conversation stops the bot (Landbot's "human takeover").
			customer.bot.active = false;
		}
		customer.events.push({ at: Date.now(), type: 'assign', agent_id: agentId, by });
		this.scheduleIdleUnassign(customer);
	}

	private unassign(customer: CustomerRecord, type: 'unassign' | 'idle_unassign', by: number | null): void {
		const previous = customer.agent_id;
		customer.agent_id = null;
		this.timers.clear(customer.idleTimer);
		customer.idleTimer = undefined;
		customer.events.push({ at: Date.now(), type, agent_id: previous, by });
	}

	/**
	 * Sheet: "the conversation is unassigned after some minutes without interaction between user and
	 * agent". Any user or agent message (and any assignment) restarts the clock.
	 */
	private scheduleIdleUnassign(customer: CustomerRecord): void {
		this.timers.clear(customer.idleTimer);
		customer.idleTimer = undefined;
		if (!this.options.idleUnassignMs || customer.agent_id == null) return;
		customer.idleTimer = this.timers.set(() => {
			customer.idleTimer = undefined;
			if (customer.agent_id == null || this.stopped) return;
			this.unassign(customer, 'idle_unassign', null);
			if (this.options.sysMessageOnUnassign) {
				const text = 'The conversation was unassigned after a period of inactivity.';
				this.postMessage(
					customer,
					this.rawMessage(customer, 'sys', { id: null, name: '', type: 'sys' }, 'text', { body: text }, text),
					false,
				);
			}
		}, this.options.idleUnassignMs * this.options.timeScale);
	}

	// ---------------------------------------------------------------- internals: hook delivery

	/** One queue per (hook, customer): in order within a conversation, independent across them. */
	private enqueue(delivery: Delivery): void {
		const key = `${delivery.hook.id}:${delivery.customerId}`;
		let queue = this.queues.get(key);
		if (!queue) {
			queue = { items: [], running: false };
			this.queues.set(key, queue);
		}
		queue.items.push(delivery);
		if (!queue.running) void this.pump(queue);
	}

	private async pump(queue: { items: Delivery[]; running: boolean }): Promise<void> {
		queue.running = true;
		while (queue.items.length > 0 && !this.stopped) {
			const delivery = queue.items[0];
			if (!this.hooks.has(delivery.hook.id)) {
				// CHOICE: deliveries still queued for a deleted hook are dropped.
				queue.items.shift();
				continue;
			}
			const delivered = await this.attempt(delivery);
			if (this.stopped) break;
			if (delivered || delivery.attempts >= this.options.hookMaxAttempts) {
				queue.items.shift();
				continue;
			}
			// Sheet: linear backoff, about 5, 10, 15, 20, 25 s.
			const delay = HOOK_RETRY_STEP_MS * delivery.attempts * this.options.timeScale;
			await new Promise<void>((resolve) => this.timers.set(resolve, delay));
		}
		queue.running = false;
	}

	private async attempt(delivery: Delivery): Promise<boolean> {
		delivery.attempts += 1;
		const headers: Record<string, string> = {
			'Content-Type': 'application/json',
			'User-Agent': 'landbot/webhooks',
			'sentry-trace': delivery.sentryTrace,
		};
		if (delivery.hook.token) headers.Authorization = `Token ${delivery.hook.token}`;
		const record: LandbotDeliveryAttempt = {
			deliveryId: delivery.id,
			hookId: delivery.hook.id,
			url: delivery.hook.url,
			customerId: delivery.customerId,
			messageUuid: delivery.messageUuid,
			attempt: delivery.attempts,
			at: Date.now(),
			status: null,
			headers,
			body: delivery.body,
		};
		this.attempts.push(record);
		let delivered = false;
		try {
			const res = await this.outbox.request(delivery.hook.url, {
				method: 'POST',
				headers,
				body: delivery.body,
				timeoutMs: this.options.hookTimeoutMs,
			});
			record.status = res.status;
			delivered = res.status >= 200 && res.status < 300;
		} catch (err) {
			record.error = String((err as Error)?.message ?? err);
		}
		if (!delivered) {
			if (delivery.attempts >= this.options.hookMaxAttempts) record.gaveUp = true;
			else record.retryInMs = HOOK_RETRY_STEP_MS * delivery.attempts * this.options.timeScale;
		}
		return delivered;
	}

	// ---------------------------------------------------------------- internals: HTTP

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://localhost');
		const rawBody = await readBody(req);
		const method = (req.method ?? 'GET').toUpperCase();
		const query = queryOf(url);

		if (url.pathname === '/_control' || url.pathname.startsWith('/_control/')) {
			await this.handleControl(method, url.pathname, rawBody, res);
			return;
		}
		if (url.pathname.startsWith('/media/') && (method === 'GET' || method === 'HEAD')) {
			const file = this.media.get(url.pathname);
			if (!file) {
				sendJson(res, 404, { detail: 'Not found.' });
				return;
			}
			res.writeHead(200, { 'Content-Type': file.contentType, 'Content-Length': String(file.data.length) });
			res.end(method === 'HEAD' ? undefined : file.data);
			return;
		}

		let parsed: unknown;
		let parseError: string | undefined;
		try {
			parsed = parseJsonBody(rawBody);
		} catch (err) {
			parseError = (err as Error).message;
			parsed = rawBody;
		}
		const call: LandbotApiCall = {
			at: Date.now(),
			method,
			path: url.pathname,
			query,
			headers: req.headers,
			body: parsed,
		};
		this.calls.push(call);

		const fault = injectedFault(this.options.faults);
		if (fault !== undefined) {
			call.status = fault;
			call.injected = true;
			sendJson(res, fault, fault === 429 ? TOO_MANY_REQUESTS.body : { detail: 'Injected failure' });
			return;
		}
		const reply = this.dispatch(method, url.pathname, query, req.headers, parsed, parseError, call);
		call.status = reply.status;
		if (reply.status === 204) {
			res.writeHead(204, reply.headers ?? {});
			res.end();
			return;
		}
		sendJson(res, reply.status, reply.body, reply.headers);
	}

	private dispatch(
		method: string,
		path: string,
		query: Record<string, string>,
		headers: http.IncomingHttpHeaders,
		body: unknown,
		parseError: string | undefined,
		call: LandbotApiCall,
	): Reply {
		// Django resolves the URL before authenticating: unknown paths are 404 for everyone.
		// CHOICE: a path without its trailing slash is treated as unknown (404), not redirected.
		const match = this.router.match(method, path);
		if (match === undefined) return NOT_FOUND_PATH;

		const header = headers.authorization ?? '';
		const m = /^Token\s+(\S+)\s*$/.exec(header);
		const agent = m ? this.agentByToken.get(m[1]) : undefined;
		// Sheet: 401 {"detail":"Invalid token."}. CHOICE: same answer when the header is missing or
		// uses another scheme (Django REST framework would say "Authentication credentials were not provided.").
		if (!agent) return INVALID_TOKEN;
		call.agentId = agent.id;

		if (!this.allowRequest(m![1])) return TOO_MANY_REQUESTS;
		if (match === 'method') return { status: 405, body: { detail: `Method "${method}" not allowed.` } };
		if (parseError !== undefined) return { status: 400, body: { detail: `JSON parse error - ${parseError}` } };

		const ctx: ApiContext = { agent, params: match.params, query, body: body ?? {} };
		return match.handler(ctx);
	}

	/** Sheet: 10 requests per second per token (sliding one-second window, real time). */
	private allowRequest(token: string): boolean {
		const now = Date.now();
		const window = (this.rateWindows.get(token) ?? []).filter((t) => now - t < 1000);
		if (window.length >= this.options.rateLimitPerSecond) {
			this.rateWindows.set(token, window);
			return false;
		}
		window.push(now);
		this.rateWindows.set(token, window);
		return true;
	}

	private api(method: string, pattern: string, handler: (ctx: ApiContext) => Reply): void {
		this.router.add(method, `/v1${pattern}`, handler);
	}

	private withCustomer(handler: (ctx: ApiContext, customer: CustomerRecord) => Reply): (ctx: ApiContext) => Reply {
		return (ctx) => {
			const id = parseId(ctx.params.customer_id);
			const customer = id === undefined ? undefined : this.customers.get(id);
			if (!customer) return notFound('customer');
			return handler(ctx, customer);
		};
	}

	private withChannel(handler: (ctx: ApiContext, channel: LandbotChannel) => Reply): (ctx: ApiContext) => Reply {
		return (ctx) => {
			const id = parseId(ctx.params.channel_id);
			const channel = id === undefined ? undefined : this.channels.get(id);
			if (!channel) return notFound('channel');
			return handler(ctx, channel);
		};
	}

	/** `offset` (default 0) and `limit` (default 20, max 100) — sheet. */
	private paging(query: Record<string, string>): { offset: number; limit: number } | Reply {
		const offset = query.offset === undefined ? 0 : parseId(query.offset);
		if (offset === undefined) return badRequest('offset', 'A valid integer is required.');
		const limit = query.limit === undefined ? 20 : parseId(query.limit);
		if (limit === undefined) return badRequest('limit', 'A valid integer is required.');
		// CHOICE: a limit above 100 is clamped to 100 (as Django REST framework's max_limit does).
		return { offset, limit: Math.min(limit, 100) };
	}

	/** Sending as an agent: refused outside the WhatsApp window (sheet); stops the bot (guide step 2). */
	private sendAsAgent(
		ctx: ApiContext,
		customer: CustomerRecord,
		build: (sender: LandbotMessage['sender']) => LandbotMessage,
	): Reply {
		const channel = this.channels.get(customer.channel_id)!;
		if (channel.type === 'whatsapp' && !customer.whatsapp_window_open) return WHATSAPP_WINDOW_CLOSED;
		const message = build({ id: ctx.agent.id, name: ctx.agent.name, type: 'agent' });
		if (customer.bot.active) {
			// Landbot's guide: once the service sends as the agent, the bot stops managing the chat.
			// CHOICE: it does not assign the customer to that agent (the guide re-assigns explicitly).
			customer.bot.active = false;
			customer.events.push({ at: Date.now(), type: 'bot_stopped', by: ctx.agent.id });
		}
		this.postMessage(customer, message, true);
		return ok();
	}

	private registerRoutes(): void {
		// ---- customers
		this.api('GET', '/customers/', (ctx) => {
			const paging = this.paging(ctx.query);
			if ('status' in paging) return paging;
			const q = ctx.query;
			let list = [...this.customers.values()];
			if (q.channel_id !== undefined) list = list.filter((c) => String(c.channel_id) === q.channel_id);
			if (q.agent_id !== undefined) list = list.filter((c) => String(c.agent_id) === q.agent_id);
			if (q.archived !== undefined) {
				const archived = parseBool(q.archived);
				if (archived === undefined) return badRequest('archived', 'Must be a valid boolean.');
				list = list.filter((c) => c.archived === archived);
			}
			if (q.opt_in !== undefined) {
				const optIn = parseBool(q.opt_in);
				if (optIn === undefined) return badRequest('opt_in', 'Must be a valid boolean.');
				list = list.filter((c) => c.opt_in === optIn);
			}
			if (q.search !== undefined && q.search !== '') {
				const by = q.search_by ?? 'name';
				if (!['name', 'email', 'phone'].includes(by)) {
					return badRequest('search_by', `"${by}" is not a valid choice.`);
				}
				const needle = q.search.toLowerCase();
				list = list.filter((c) => String(c[by as 'name' | 'email' | 'phone'] ?? '').toLowerCase().includes(needle));
			}
			list.sort((a, b) => a.id - b.id);
			return ok({
				success: true,
				total: list.length,
				customers: list.slice(paging.offset, paging.offset + paging.limit).map((c) => this.customerView(c)),
			});
		});

		this.api(
			'GET',
			'/customers/:customer_id/',
			this.withCustomer((_ctx, c) => ok({ success: true, customer: this.customerView(c) })),
		);

		this.api(
			'POST',
			'/customers/:customer_id/send_text/',
			this.withCustomer((ctx, c) => {
				const text = ctx.body?.message;
				if (typeof text !== 'string' || text === '') return badRequest('message', 'This field is required.');
				return this.sendAsAgent(ctx, c, (sender) => this.buildMessage(c, 'agent', sender, text));
			}),
		);

		this.api(
			'POST',
			'/customers/:customer_id/send_image/',
			this.withCustomer((ctx, c) => {
				const imageUrl = ctx.body?.url;
				if (typeof imageUrl !== 'string' || imageUrl === '') return badRequest('url', 'This field is required.');
				if (!/^https?:\/\/\S+$/.test(imageUrl)) return badRequest('url', 'Enter a valid URL.');
				const caption = typeof ctx.body?.caption === 'string' ? ctx.body.caption : undefined;
				return this.sendAsAgent(ctx, c, (sender) =>
					this.buildMessage(c, 'agent', sender, { image: imageUrl, caption }),
				);
			}),
		);

		this.api(
			'POST',
			'/customers/:customer_id/send_location/',
			this.withCustomer((ctx, c) => {
				const latitude = Number(ctx.body?.latitude);
				const longitude = Number(ctx.body?.longitude);
				if (ctx.body?.latitude === undefined || Number.isNaN(latitude) || Math.abs(latitude) > 90) {
					return badRequest('latitude', 'A valid number between -90 and 90 is required.');
				}
				if (ctx.body?.longitude === undefined || Number.isNaN(longitude) || Math.abs(longitude) > 180) {
					return badRequest('longitude', 'A valid number between -180 and 180 is required.');
				}
				return this.sendAsAgent(ctx, c, (sender) =>
					this.buildMessage(c, 'agent', sender, { latitude, longitude }),
				);
			}),
		);

		// Sheet: assign without an agent id assigns to the token's owner; 412 if another agent owns it.
		this.api(
			'PUT',
			'/customers/:customer_id/assign/',
			this.withCustomer((ctx, c) => {
				if (c.agent_id != null && c.agent_id !== ctx.agent.id) return OWNED_BY_ANOTHER_AGENT;
				this.assignTo(c, ctx.agent.id, ctx.agent.id);
				return ok();
			}),
		);

		this.api(
			'PUT',
			'/customers/:customer_id/assign/:agent_id/',
			this.withCustomer((ctx, c) => {
				const agentId = parseId(ctx.params.agent_id);
				if (agentId === undefined || !this.agents.has(agentId)) return notFound('agent');
				// CHOICE: the 412 rule of "assign to me" also applies here, unless the target already owns it.
				if (c.agent_id != null && c.agent_id !== ctx.agent.id && c.agent_id !== agentId) {
					return OWNED_BY_ANOTHER_AGENT;
				}
				this.assignTo(c, agentId, ctx.agent.id);
				return ok();
			}),
		);

		this.api(
			'PUT',
			'/customers/:customer_id/unassign/',
			this.withCustomer((ctx, c) => {
				if (c.agent_id != null && c.agent_id !== ctx.agent.id) return OWNED_BY_ANOTHER_AGENT;
				if (c.agent_id != null) this.unassign(c, 'unassign', ctx.agent.id);
				return ok();
			}),
		);

		// Sheet: `{"launch": true, "node": "<node id>"}`; no node → the bot's start.
		this.api(
			'PUT',
			'/customers/:customer_id/assign_bot/:bot_id/',
			this.withCustomer((ctx, c) => {
				const botId = parseId(ctx.params.bot_id);
				if (botId === undefined) return notFound('bot');
				const node = ctx.body?.node;
				if (node !== undefined && node !== null && (typeof node !== 'string' || node === '')) {
					return badRequest('node', 'Not a valid string.');
				}
				const launch = ctx.body?.launch === true || ctx.body?.launch === 'true';
				// CHOICE: giving the conversation to a bot ends any agent assignment.
				if (c.agent_id != null) this.unassign(c, 'unassign', ctx.agent.id);
				c.bot = { id: botId, node: node ?? null, active: true, launched: launch };
				c.events.push({ at: Date.now(), type: 'assign_bot', bot_id: botId, node: node ?? null, by: ctx.agent.id });
				if (launch && this.options.botLaunchMessage) {
					this.botSays(c.id, this.options.botLaunchMessage(botId, node ?? null));
				}
				return ok();
			}),
		);

		for (const action of ['archive', 'unarchive', 'block', 'unblock'] as const) {
			this.api(
				'PUT',
				`/customers/:customer_id/${action}/`,
				this.withCustomer((_ctx, c) => {
					if (action === 'archive' || action === 'unarchive') c.archived = action === 'archive';
					else c.blocked = action === 'block';
					return ok();
				}),
			);
		}

		// Sheet: whole conversation, unpaginated, order not guaranteed.
		this.api(
			'GET',
			'/customers/:customer_id/messages/',
			this.withCustomer((_ctx, c) =>
				ok({ success: true, messages: this.unsorted(c.messages).map((m) => this.transcriptMessage(m)) }),
			),
		);

		// ---- customer fields (sheet: types string|integer|float|boolean|date|datetime|object)
		const fieldRoute = '/customers/:customer_id/fields/:field_name/';
		const withField = (handler: (ctx: ApiContext, c: CustomerRecord, name: string) => Reply) =>
			this.withCustomer((ctx, c) => {
				const name = ctx.params.field_name;
				if (!FIELD_NAME.test(name)) {
					return badRequest('name', 'Field names may only contain lowercase letters, numbers and underscores.');
				}
				return handler(ctx, c, name);
			});
		const fieldView = (name: string, f: LandbotField) => ({
			name,
			type: f.type,
			value: clone(f.value),
			...(f.extra === undefined ? {} : { extra: clone(f.extra) }),
		});
		const writeField = (ctx: ApiContext, c: CustomerRecord, name: string, existing?: LandbotField): Reply => {
			const type = (ctx.body?.type ?? existing?.type) as LandbotFieldType | undefined;
			if (type === undefined) return badRequest('type', 'This field is required.');
			if (!FIELD_TYPES.includes(type)) return badRequest('type', `"${String(type)}" is not a valid choice.`);
			if (!('value' in (ctx.body ?? {}))) return badRequest('value', 'This field is required.');
			const coerced = coerceField(type, ctx.body.value);
			if ('error' in coerced) return badRequest('value', coerced.error);
			const field: LandbotField = { type, value: coerced.value };
			if (ctx.body.extra !== undefined) field.extra = ctx.body.extra;
			c.fields.set(name, field);
			return { status: existing ? 200 : 201, body: { success: true, field: fieldView(name, field) } };
		};
		this.api(
			'GET',
			fieldRoute,
			withField((_ctx, c, name) => {
				const field = c.fields.get(name);
				return field ? ok({ success: true, field: fieldView(name, field) }) : notFound('field');
			}),
		);
		this.api(
			'POST',
			fieldRoute,
			withField((ctx, c, name) =>
				// UNCONFIRMED: creating a field that exists is refused (use PUT to change it).
				c.fields.has(name) ? badRequest('name', 'A field with this name already exists.') : writeField(ctx, c, name),
			),
		);
		this.api(
			'PUT',
			fieldRoute,
			withField((ctx, c, name) => {
				const existing = c.fields.get(name);
				return existing ? writeField(ctx, c, name, existing) : notFound('field');
			}),
		);
		this.api(
			'DELETE',
			fieldRoute,
			withField((_ctx, c, name) => {
				if (!c.fields.delete(name)) return notFound('field');
				return { status: 204 };
			}),
		);

		// ---- channels
		this.api('GET', '/channels/', (ctx) => {
			const paging = this.paging(ctx.query);
			if ('status' in paging) return paging;
			let list = [...this.channels.values()];
			if (ctx.query.type !== undefined) {
				if (!CHANNEL_TYPES.includes(ctx.query.type as LandbotChannelType)) {
					return badRequest('type', `"${ctx.query.type}" is not a valid choice.`);
				}
				list = list.filter((ch) => ch.type === ctx.query.type);
			}
			if (ctx.query.active !== undefined) {
				const active = parseBool(ctx.query.active);
				if (active === undefined) return badRequest('active', 'Must be a valid boolean.');
				list = list.filter((ch) => ch.active === active);
			}
			list.sort((a, b) => a.id - b.id);
			return ok({
				success: true,
				total: list.length,
				channels: list.slice(paging.offset, paging.offset + paging.limit).map((ch) => ({ ...ch })),
			});
		});

		this.api(
			'GET',
			'/channels/:channel_id/',
			this.withChannel((_ctx, ch) => ok({ success: true, channel: { ...ch } })),
		);

		// ---- message hooks
		this.api(
			'POST',
			'/channels/:channel_id/message_hooks/',
			this.withChannel((ctx, ch) => {
				if (!HOOK_CHANNEL_TYPES.includes(ch.type)) return HOOK_UNSUPPORTED_CHANNEL;
				const hookUrl = ctx.body?.url;
				if (typeof hookUrl !== 'string' || hookUrl === '') return badRequest('url', 'This field is required.');
				if (!/^https?:\/\/[^\s/]+\S*$/.test(hookUrl)) return badRequest('url', 'Enter a valid URL.');
				const token = ctx.body?.token;
				if (token !== undefined && token !== null && typeof token !== 'string') {
					return badRequest('token', 'Not a valid string.');
				}
				const now = Math.floor(Date.now() / 1000);
				const hook: LandbotHook = {
					id: this.nextId('hook'),
					channel_id: ch.id,
					url: hookUrl,
					token: token || null,
					name: typeof ctx.body?.name === 'string' ? ctx.body.name : '',
					created_at: now,
					updated_at: now,
				};
				this.hooks.set(hook.id, hook);
				return { status: 201, body: { success: true, hook: { ...hook } } };
			}),
		);

		this.api(
			'GET',
			'/channels/:channel_id/message_hooks/',
			this.withChannel((_ctx, ch) =>
				ok({ success: true, hooks: [...this.hooks.values()].filter((h) => h.channel_id === ch.id).map((h) => ({ ...h })) }),
			),
		);

		this.api(
			'DELETE',
			'/channels/:channel_id/message_hooks/:hook_id/',
			this.withChannel((ctx, ch) => {
				const id = parseId(ctx.params.hook_id);
				const hook = id === undefined ? undefined : this.hooks.get(id);
				if (!hook || hook.channel_id !== ch.id) return notFound('hook');
				this.hooks.delete(hook.id);
				return { status: 204 };
			}),
		);

		// ---- agents (sheet: *unconfirmed*, not in the current OpenAPI)
		this.api('GET', '/agents/', () =>
			ok({
				success: true,
				agents: [...this.agents.values()].map((a) => ({ id: a.id, name: a.name, email: a.email })),
			}),
		);
	}

	/** A copy of `messages` in an order that is never chronological when there are two or more. */
	private unsorted(messages: LandbotMessage[]): LandbotMessage[] {
		const copy = [...messages];
		for (let i = copy.length - 1; i > 0; i--) {
			const j = crypto.randomInt(0, i + 1);
			[copy[i], copy[j]] = [copy[j], copy[i]];
		}
		const sorted = copy.every((m, i) => i === 0 || copy[i - 1].timestamp <= m.timestamp);
		if (sorted && copy.length > 1) [copy[0], copy[copy.length - 1]] = [copy[copy.length - 1], copy[0]];
		return copy;
	}

	// ---------------------------------------------------------------- control API (HTTP)

	private async handleControl(method: string, path: string, rawBody: string, res: http.ServerResponse): Promise<void> {
		let body: any;
		try {
			body = parseJsonBody(rawBody) ?? {};
		} catch (err) {
			sendJson(res, 400, { error: `bad JSON: ${(err as Error).message}` });
			return;
		}
		const parts = path.split('/').filter(Boolean).slice(1); // drop "_control"
		try {
			if (method === 'POST' && parts.length === 3 && parts[0] === 'customers' && parts[2] === 'webhook_block') {
				const id = Number(parts[1]);
				if (!this.customers.has(id)) {
					sendJson(res, 404, { error: `unknown customer ${parts[1]}` });
					return;
				}
				if (typeof body.url !== 'string' || body.url === '') throw new Error('url is required');
				sendJson(res, 200, await this.webhookBlock(id, body));
				return;
			}
			const result = this.control(method, parts, body);
			if (result === undefined) sendJson(res, 404, { error: `no control route ${method} ${path}` });
			else sendJson(res, result.status, result.body);
		} catch (err) {
			sendJson(res, 400, { error: String((err as Error)?.message ?? err) });
		}
	}

	private control(method: string, parts: string[], body: any): Reply | undefined {
		const [first, second, third] = parts;
		if (method === 'GET' && parts.length === 0) {
			return ok({ baseUrl: this.baseUrl, tokens: this.tokens, routes: LandbotSimulator.controlRoutes });
		}
		if (method === 'POST' && first === 'reset' && parts.length === 1) {
			this.reset();
			return ok({ success: true });
		}
		if (method === 'PATCH' && first === 'options' && parts.length === 1) {
			const allowed = ['rateLimitPerSecond', 'idleUnassignMs', 'sysMessageOnUnassign', 'timeScale', 'hookTimeoutMs', 'hookMaxAttempts'];
			this.configure(Object.fromEntries(Object.entries(body).filter(([k]) => allowed.includes(k))));
			return ok({ success: true });
		}
		if (method === 'GET' && first === 'webhook_blocks' && parts.length === 1) return ok(this.getWebhookBlockCalls());
		if (method === 'POST' && first === 'media' && parts.length === 1) {
			if (typeof body.name !== 'string' || body.name === '') throw new Error('name is required');
			if (typeof body.base64 !== 'string') throw new Error('base64 is required');
			const url = this.hostMedia({ name: body.name, contentType: body.content_type, data: Buffer.from(body.base64, 'base64') });
			return { status: 201, body: { url } };
		}
		if (method === 'POST' && first === 'agents' && parts.length === 1) {
			return { status: 201, body: this.addAgent(body) };
		}
		if (method === 'POST' && first === 'channels' && parts.length === 1) {
			return { status: 201, body: this.createChannel(body) };
		}
		if (method === 'GET' && first === 'channels' && parts.length === 1) {
			return ok({ channels: this.listChannels(), hooks: this.listHooks() });
		}
		if (method === 'POST' && first === 'customers' && parts.length === 1) {
			return { status: 201, body: this.createCustomer(body) };
		}
		if (first === 'customers' && second !== undefined) {
			const id = Number(second);
			if (!this.customers.has(id)) return { status: 404, body: { error: `unknown customer ${second}` } };
			if (method === 'GET' && parts.length === 2) return ok(this.getCustomerState(id));
			if (method === 'PATCH' && parts.length === 2) {
				const c = this.customers.get(id)!;
				if (typeof body.whatsapp_window_open === 'boolean') c.whatsapp_window_open = body.whatsapp_window_open;
				if (typeof body.name === 'string') c.name = body.name;
				if (typeof body.archived === 'boolean') c.archived = body.archived;
				return ok(this.getCustomerState(id));
			}
			if (method === 'POST' && third === 'says' && parts.length === 3) {
				return { status: 201, body: this.customerSays(id, typeof body.text === 'string' && Object.keys(body).length === 1 ? body.text : body) };
			}
			if (method === 'POST' && third === 'bot_says' && parts.length === 3) {
				return { status: 201, body: this.botSays(id, body) };
			}
		}
		if (method === 'GET' && first === 'calls' && parts.length === 1) return ok(this.getCalls());
		if (method === 'GET' && first === 'deliveries' && parts.length === 1) return ok(this.getDeliveries());
		return undefined;
	}
}

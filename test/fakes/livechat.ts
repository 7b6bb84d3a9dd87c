/**
 * LiveChat simulator: the Agent Chat, Customer Chat and Configuration Web APIs
 * (`/v3.5/...`, `/v3.6/...`), customer tokens from the accounts server
 * (`/v2/customer/token`: agent-token and cookie grants) and webhook delivery, as described in
 * docs/platforms/livechat.md and, where it is silent, LiveChat's public docs
 * (livechat/livechat-public-docs: messaging/agent-chat-api, messaging/customer-chat-api,
 * management/configuration-api, management/webhooks, authorization/customer-authorization, the
 * Customer Accounts API spec src/configs/redoc/customer-accounts-api/specv2.yml).
 *
 * One server answers for both hosts: `baseUrl` stands for https://api.livechatinc.com and
 * `accountsUrl` for https://accounts.livechat.com (same origin, different paths).
 *
 * Items neither source settles are marked `CHOICE:` (our decision, e.g. timings), `UNCONFIRMED:` (a
 * plausible LiveChat behaviour nobody could verify) or `GUESS:` (a behaviour picked among several
 * plausible ones); each lives in one place so it is easy to change.
 *
 * Control API (no auth) for tests and people: methods on the class and HTTP routes under
 * `/_control/...` (see `controlRoutes`).
 */
import * as http from 'http';
import * as crypto from 'crypto';
import { Outbox, Timers, clone, close, isObject, listen, queryOf, sendJson, waitFor } from './http';

export interface LiveChatSimulatorOptions {
	/** 0 (default) = a random free port. */
	port?: number;
	host?: string;
	/** Multiplies every delay (webhook retry schedule). 0.001 → 1000× faster. */
	timeScale?: number;
	/** Docs: an answer other than 200 within about 10 s is retried. Not scaled. */
	hookTimeoutMs?: number;
	/**
	 * Waits before each retry of a failed delivery, in ms (unscaled). Docs (guides/livechat-apps): "up
	 * to 3 times within ~1 minute". CHOICE: 10 s, 20 s, 30 s (retries about 10 s, 30 s and 60 s after
	 * the first try); then the delivery is given up.
	 */
	retryScheduleMs?: number[];
	organizationId?: string;
	/** Requests allowed per identity (token) and window; 0 = no limit (default). CHOICE: LiveChat publishes no numbers. */
	rateLimit?: { requests: number; windowMs: number };
	/** Seconds a customer token lives. Docs: 28800. */
	customerTokenTtlSec?: number;
}

export interface LiveChatAgent {
	id: string;
	name: string;
	email: string;
	account_id: string;
	role: string;
	group_ids: number[];
	accepting: boolean;
}

export interface LiveChatBot {
	id: string;
	name: string;
	group_ids: number[];
	owner_client_id: string | null;
}

export interface LiveChatGroup {
	id: number;
	name: string;
	language_code: string;
}

export interface LiveChatCustomer {
	id: string;
	type: 'customer';
	name?: string;
	email?: string;
	created_at: string;
	session_fields: Array<Record<string, string>>;
}

export interface LiveChatEvent {
	id: string;
	type: string;
	author_id?: string;
	created_at: string;
	visibility: 'all' | 'agents';
	custom_id?: string;
	text?: string;
	properties?: Record<string, unknown>;
	[key: string]: unknown;
}

interface ThreadRecord {
	id: string;
	active: boolean;
	created_at: string;
	user_ids: string[];
	events: LiveChatEvent[];
	properties: Record<string, unknown>;
	access: { group_ids: number[] };
	queue?: { position: number; wait_time: number; queued_at: string };
	previous_thread_id?: string;
}

interface ChatUser {
	id: string;
	type: 'agent' | 'customer';
	present: boolean;
	visibility: 'all' | 'agents';
}

interface ChatRecord {
	id: string;
	users: ChatUser[];
	properties: Record<string, Record<string, unknown>>;
	access: { group_ids: number[] };
	threads: ThreadRecord[];
	/** Creation order, for sorting (not returned). */
	seq: number;
	/** Last activity, for sorting (not returned). */
	touched: number;
}

export interface LiveChatWebhook {
	id: string;
	action: string;
	secret_key: string;
	url: string;
	type: 'license' | 'bot';
	owner_client_id: string;
	description?: string;
	filters?: Record<string, unknown>;
	additional_data?: string[];
}

interface PropertyRecord {
	name: string;
	owner_client_id: string;
	type: string;
	access: Record<string, unknown>;
	description: string;
	public_access?: string[];
}

export interface LiveChatApiCall {
	at: number;
	method: string;
	path: string;
	api: string;
	action: string;
	version: string;
	query: Record<string, string>;
	headers: http.IncomingHttpHeaders;
	body: unknown;
	status?: number;
}

export interface LiveChatDeliveryAttempt {
	deliveryId: string;
	webhookId: string;
	action: string;
	url: string;
	attempt: number;
	at: number;
	status: number | null;
	error?: string;
	body: any;
	retryInMs?: number;
	gaveUp?: boolean;
}

type Identity =
	| { kind: 'agent'; agent: LiveChatAgent; token: string }
	| { kind: 'customer'; customer: LiveChatCustomer; token: string; clientId: string };

interface Reply {
	status: number;
	body?: unknown;
	/** A list sends the header once per value (Set-Cookie). */
	headers?: Record<string, string | string[]>;
}

/** An app of the organization (Developer Console): its Client ID, redirect URIs and installation. */
interface ClientRecord {
	id: string;
	name: string;
	/** The Redirect URI whitelist of its App Authorization block. */
	redirectUris: string[];
	/** Installed on the license (Private installation → Install app). */
	installed: boolean;
	/** disable_license_webhooks was called (until enable_license_webhooks). */
	webhooksDisabled: boolean;
}

interface Ctx {
	version: string;
	body: any;
	query: Record<string, string>;
	headers: http.IncomingHttpHeaders;
	who: Identity;
	/** The user actions are authored by: the agent, a bot (X-Author-Id), or the customer. */
	actorId: string;
	raw: Buffer;
}

/** Actions `register_webhook` accepts (Configuration API v3.6, "Triggering actions"). */
const WEBHOOK_ACTIONS = [
	'incoming_chat', 'chat_deactivated', 'chat_access_updated', 'chat_transferred', 'user_added_to_chat',
	'user_removed_from_chat', 'incoming_event', 'event_deleted', 'event_updated', 'incoming_rich_message_postback',
	'chat_properties_updated', 'chat_properties_deleted', 'thread_properties_updated', 'thread_properties_deleted',
	'event_properties_updated', 'event_properties_deleted', 'thread_tagged', 'thread_untagged', 'routing_status_set',
	'customer_session_fields_updated', 'events_marked_as_seen', 'group_created', 'group_updated', 'group_deleted',
	'agent_created', 'agent_updated', 'agent_deleted', 'agent_suspended', 'agent_unsuspended', 'agent_approved',
	'bot_created', 'bot_updated', 'bot_deleted', 'auto_accesses_updated', 'tag_created', 'tag_deleted', 'tag_updated',
	'thread_summary_set',
];
/** Docs: "a limit of three webhooks for every action a Client ID can register". */
const WEBHOOKS_PER_ACTION = 3;
const SUPPORTED_VERSIONS = ['v3.5', 'v3.6'];
const DEFAULT_RETRY_SCHEDULE_MS = [10, 20, 30].map((s) => s * 1000);
/** Docs (customer-authorization): the cookies live 2 years, renewed by each grant. */
const COOKIE_MAX_AGE_SEC = 63072000;
const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
const MAX_MESSAGE_BYTES = 16 * 1024;

/**
 * LiveChat's error body `{"error": {"type", "message"}}` with the docs' default messages.
 * CHOICE: the HTTP statuses (the docs name the types, not the codes).
 */
const ERROR_STATUS: Record<string, number> = {
	authentication: 401,
	authorization: 403,
	missing_access: 403,
	not_found: 404,
	validation: 400,
	chat_inactive: 400,
	limit_reached: 400,
	already_exists: 409,
	entity_too_large: 413,
	too_many_requests: 429,
	unsupported_version: 400,
	internal: 500,
};
const DEFAULT_MESSAGES: Record<string, string> = {
	authentication: 'Invalid access token',
	authorization: 'Authorization error',
	validation: 'Wrong format of request',
	chat_inactive: 'Chat is inactive',
	limit_reached: 'Limit reached',
	entity_too_large: 'Upload limit exceeded (10MB).',
	too_many_requests: 'Too many requests',
	not_found: 'Not found',
	unsupported_version: 'Cannot call unsupported API versions.',
};

function fail(type: string, message?: string): Reply {
	return { status: ERROR_STATUS[type] ?? 400, body: { error: { type, message: message ?? DEFAULT_MESSAGES[type] ?? type } } };
}

const ok = (body: unknown = {}): Reply => ({ status: 200, body });

/** The docs' texts for the accounts server's exceptions (authorization/troubleshooting, "Errors"). */
const OAUTH_DESCRIPTIONS: Record<string, string> = {
	invalid_request:
		'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.',
	unauthorized_client: 'The client is not authorized to request a token using this method.',
	unsupported_response_type: 'The authorization server does not support obtaining a token using this method.',
	unsupported_grant_type: 'The authorization grant type is not supported by the authorization server.',
	invalid_grant:
		'The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
};

/**
 * The accounts server's error: 401 `{oauth_exception, exception_description}` (Customer Accounts
 * API spec: the only error answer of POST /token besides 500; shape also seen in
 * livechat/supervisor-app#5). UNCONFIRMED: `exception_details` in the body — the docs name these
 * details (client_id_not_found, invalid_redirect_uri, …) for the query string of redirect flows.
 */
function oauthFail(exception: string, details?: string): Reply {
	const body: Record<string, unknown> = { oauth_exception: exception, exception_description: OAUTH_DESCRIPTIONS[exception] ?? exception };
	if (details) body.exception_details = details;
	return { status: 401, body };
}

function cookiesOf(header: unknown): Record<string, string> {
	const cookies: Record<string, string> = {};
	for (const part of String(header ?? '').split(';')) {
		const [name, ...value] = part.trim().split('=');
		if (name) cookies[name] = value.join('=');
	}
	return cookies;
}

/** Set-Cookie as the docs' sample shows it. */
function setCookie(name: string, value: string): string {
	const expires = new Date(Date.now() + COOKIE_MAX_AGE_SEC * 1000).toUTCString();
	return `${name}=${value}; Path=/v2/customer; Domain=accounts.livechat.com; Expires=${expires}; Max-Age=${COOKIE_MAX_AGE_SEC}; HttpOnly; Secure; SameSite=None`;
}

/** LiveChat's timestamps: RFC 3339 with microseconds, e.g. 2019-12-09T12:01:18.909000Z. */
function nowStamp(): string {
	return new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
function upperId(length = 10): string {
	let id = '';
	for (let i = 0; i < length; i++) id += ALNUM[crypto.randomInt(0, ALNUM.length)];
	return id;
}
function lowerId(length = 25): string {
	const chars = 'abcdefghijklmnopqrstuvwxyz0123456789';
	let id = '';
	for (let i = 0; i < length; i++) id += chars[crypto.randomInt(0, chars.length)];
	return id;
}
const hex32 = (): string => crypto.randomBytes(16).toString('hex');
const lastOf = <T>(list: T[]): T | undefined => list[list.length - 1];

function readRaw(req: http.IncomingMessage, limit = MAX_UPLOAD_BYTES + 1024 * 1024): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > limit) {
				reject(new Error('body too large'));
				req.destroy();
				return;
			}
			chunks.push(chunk);
		});
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

/** The `file` part of a multipart/form-data body (enough for `upload_file`). */
export function parseMultipartFile(
	raw: Buffer,
	contentType: string,
): { name: string; contentType: string; data: Buffer } | undefined {
	const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
	if (!match) return undefined;
	const boundary = Buffer.from(`--${match[1] ?? match[2]}`);
	let start = raw.indexOf(boundary);
	while (start !== -1) {
		const next = raw.indexOf(boundary, start + boundary.length);
		if (next === -1) break;
		const part = raw.subarray(start + boundary.length + 2, next - 2);
		const headerEnd = part.indexOf('\r\n\r\n');
		if (headerEnd !== -1) {
			const headers = part.subarray(0, headerEnd).toString('utf8');
			if (/name="file"/i.test(headers)) {
				const name = /filename="([^"]*)"/i.exec(headers)?.[1] ?? 'file';
				const type = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim() ?? 'application/octet-stream';
				return { name, contentType: type, data: part.subarray(headerEnd + 4) };
			}
		}
		start = next;
	}
	return undefined;
}

export class LiveChatSimulator {
	private options: Required<Omit<LiveChatSimulatorOptions, 'rateLimit'>> & { rateLimit: { requests: number; windowMs: number } };
	private server: http.Server | undefined;
	private port = 0;
	private timers = new Timers();
	private outbox = new Outbox();
	private stopped = false;

	private clients = new Map<string, ClientRecord>();
	private groups = new Map<number, LiveChatGroup>();
	private agents = new Map<string, LiveChatAgent>();
	/** account id → { pat, agent id } */
	private pats = new Map<string, { pat: string; agentId: string }>();
	private agentTokens = new Map<string, string>();
	private bots = new Map<string, LiveChatBot>();
	private customers = new Map<string, LiveChatCustomer>();
	private customerTokens = new Map<string, { entityId: string; clientId: string; expiresAt: number }>();
	/** Cookie-grant identities: `__lc_cid` → its `__lc_cst` and customer. */
	private cookieIdentities = new Map<string, { cst: string; entityId: string }>();
	private chats = new Map<string, ChatRecord>();
	private webhooks: LiveChatWebhook[] = [];
	private properties = new Map<string, PropertyRecord>();
	private files = new Map<string, { name: string; contentType: string; data: Buffer }>();
	private calls: LiveChatApiCall[] = [];
	private attempts: LiveChatDeliveryAttempt[] = [];
	private rateWindows = new Map<string, number[]>();
	private pendingDeliveries = 0;
	private chatSeq = 0;

	constructor(options: LiveChatSimulatorOptions = {}) {
		this.options = this.resolveOptions(options);
		this.groups.set(0, { id: 0, name: 'General', language_code: 'en' });
	}

	async start(options: LiveChatSimulatorOptions = {}): Promise<this> {
		if (Object.keys(options).length > 0) this.options = this.resolveOptions({ ...this.options, ...options });
		this.stopped = false;
		this.server = http.createServer((req, res) => {
			this.handle(req, res).catch((err) => {
				sendJson(res, 500, { error: { type: 'internal', message: `Simulator error: ${String(err?.message ?? err)}` } });
			});
		});
		this.port = await listen(this.server, this.options.port, this.options.host);
		return this;
	}

	async stop(): Promise<void> {
		this.stopped = true;
		this.timers.clearAll();
		this.outbox.abortAll();
		this.pendingDeliveries = 0;
		if (this.server) await close(this.server);
		this.server = undefined;
	}

	/** Stands for https://api.livechatinc.com (API paths `/v3.6/agent/action/...`). */
	get baseUrl(): string {
		return `http://${this.options.host}:${this.port}`;
	}

	/** Stands for https://accounts.livechat.com (`/v2/customer/token`). */
	get accountsUrl(): string {
		return this.baseUrl;
	}

	get controlUrl(): string {
		return `${this.baseUrl}/_control`;
	}

	get organizationId(): string {
		return this.options.organizationId;
	}

	static readonly controlRoutes = [
		'GET    /_control                                 this list',
		'POST   /_control/reset                           forget everything but group 0',
		'POST   /_control/clients                         {name?, redirectUris?, installed?} → an app (Client ID)',
		'POST   /_control/clients/:id/install             install the app on the license (its license webhooks fire)',
		'POST   /_control/groups                          {name, id?}',
		'POST   /_control/agents                          {email, name?, groupIds?, accepting?, role?} → agent, accountId, pat, basic',
		'PATCH  /_control/agents/:id                      {accepting}',
		'POST   /_control/agents/:id/token                → a Bearer agent access token',
		'POST   /_control/bots                            {name, groupIds?, clientId?}',
		'POST   /_control/customers                       {name?, email?} → customer',
		'POST   /_control/customers/:id/start_chat        {groupId?, text?} → chat (incoming_chat)',
		'GET    /_control/chats                           all chats',
		'GET    /_control/chats/:id                       one chat, every thread',
		'POST   /_control/chats/:id/agent_says            {agentId, text?, file?: {url, name, content_type}, visibility?}',
		'POST   /_control/chats/:id/customer_says         {text}',
		'POST   /_control/chats/:id/deactivate            {agentId?}',
		'POST   /_control/chats/:id/transfer              {groupId? | agentId?, reason?, requesterId?}',
		'GET    /_control/webhooks                        registered webhooks, with secrets',
		'GET    /_control/properties                      registered properties',
		'GET    /_control/calls                           recorded API calls',
		'GET    /_control/deliveries                      webhook delivery attempts',
		'POST   /_control/files                           {name, content_type?, base64} → {url} on the CDN (as upload_file)',
	];

	// ---------------------------------------------------------------- control API (methods)

	/**
	 * An app of the organization: its Client ID owns webhooks and properties, and issues customer
	 * tokens. `redirectUris`: its Authorization block's whitelist (the cookie grant checks it).
	 * `installed`: installed on the license, which turns its license webhooks on (default false, as a
	 * new app in the Developer Console).
	 */
	createClient(input: { name?: string; id?: string; redirectUris?: string[]; installed?: boolean } = {}): {
		id: string;
		name: string;
		redirectUris: string[];
		installed: boolean;
	} {
		const client: ClientRecord = {
			id: input.id ?? hex32(),
			name: input.name ?? 'App',
			redirectUris: [...(input.redirectUris ?? [])],
			installed: input.installed === true,
			webhooksDisabled: false,
		};
		this.clients.set(client.id, client);
		return { id: client.id, name: client.name, redirectUris: [...client.redirectUris], installed: client.installed };
	}

	/** Private installation → Install app: the app's license webhooks are enabled (docs: automatically). */
	installApp(clientId: string): void {
		const client = this.clients.get(clientId);
		if (!client) throw new Error(`unknown client ${clientId}`);
		client.installed = true;
		client.webhooksDisabled = false;
	}

	createGroup(input: { name: string; id?: number; language_code?: string }): LiveChatGroup {
		const id = input.id ?? Math.max(...this.groups.keys()) + 1;
		const group = { id, name: input.name, language_code: input.language_code ?? 'en' };
		this.groups.set(id, group);
		return { ...group };
	}

	/** An agent (ID = email) with a personal access token. Every agent is in group 0. */
	createAgent(input: { email: string; name?: string; groupIds?: number[]; accepting?: boolean; role?: string }): {
		agent: LiveChatAgent;
		accountId: string;
		pat: string;
		basic: string;
	} {
		const accountId = crypto.randomUUID();
		const agent: LiveChatAgent = {
			id: input.email,
			email: input.email,
			name: input.name ?? input.email.split('@')[0],
			account_id: accountId,
			role: input.role ?? 'normal',
			group_ids: [...new Set([0, ...(input.groupIds ?? [])])],
			accepting: input.accepting ?? true,
		};
		for (const id of agent.group_ids) if (!this.groups.has(id)) throw new Error(`unknown group ${id}`);
		this.agents.set(agent.id, agent);
		const pat = `dal:${crypto.randomBytes(18).toString('base64url')}`;
		this.pats.set(accountId, { pat, agentId: agent.id });
		return { agent: { ...agent }, accountId, pat, basic: Buffer.from(`${accountId}:${pat}`).toString('base64') };
	}

	setAgentAccepting(agentId: string, accepting: boolean): void {
		const agent = this.agents.get(agentId);
		if (!agent) throw new Error(`unknown agent ${agentId}`);
		agent.accepting = accepting;
	}

	/** A Bearer access token for the agent, as an OAuth flow would give. */
	issueAgentToken(agentId: string): string {
		if (!this.agents.has(agentId)) throw new Error(`unknown agent ${agentId}`);
		const token = `dal:${crypto.randomBytes(18).toString('base64url')}`;
		this.agentTokens.set(token, agentId);
		return token;
	}

	createBot(input: { name: string; groupIds?: number[]; clientId?: string }): LiveChatBot {
		const bot: LiveChatBot = {
			id: hex32(),
			name: input.name,
			group_ids: input.groupIds ?? [],
			owner_client_id: input.clientId ?? null,
		};
		this.bots.set(bot.id, bot);
		return { ...bot };
	}

	createCustomer(input: { name?: string; email?: string } = {}): LiveChatCustomer {
		const customer: LiveChatCustomer = {
			id: crypto.randomUUID(),
			type: 'customer',
			created_at: nowStamp(),
			session_fields: [],
		};
		if (input.name) customer.name = input.name;
		if (input.email) customer.email = input.email;
		this.customers.set(customer.id, customer);
		return clone(customer);
	}

	getCustomer(id: string): LiveChatCustomer | undefined {
		const customer = this.customers.get(id);
		return customer ? clone(customer) : undefined;
	}

	listCustomers(): LiveChatCustomer[] {
		return [...this.customers.values()].map((c) => clone(c));
	}

	/** A customer starts a chat from the widget: routed to the group (incoming_chat). */
	customerStartsChat(customerId: string, input: { groupId?: number; text?: string } = {}): Record<string, unknown> {
		const customer = this.customers.get(customerId);
		if (!customer) throw new Error(`unknown customer ${customerId}`);
		const reply = this.startChat(customerId, 'customer', {
			chat: {
				access: { group_ids: [input.groupId ?? 0] },
				thread: input.text ? { events: [{ type: 'message', text: input.text }] } : undefined,
			},
		});
		if (reply.status !== 200) throw new Error(JSON.stringify(reply.body));
		return this.getChat((reply.body as { chat_id: string }).chat_id)!;
	}

	/** An agent writes from the agent app (incoming_event, author type agent). */
	agentSays(
		chatId: string,
		agentId: string,
		input: string | { text?: string; file?: { url: string; name?: string; content_type?: string }; visibility?: 'all' | 'agents' },
	): LiveChatEvent {
		const chat = this.requireChat(chatId);
		if (!this.agents.has(agentId) && !this.bots.has(agentId)) throw new Error(`unknown agent ${agentId}`);
		if (!chat.users.some((u) => u.id === agentId)) this.addUser(chat, agentId, 'agent', 'all');
		const body = typeof input === 'string' ? { text: input } : input;
		const event = body.file
			? {
					type: 'file',
					url: body.file.url,
					name: body.file.name ?? body.file.url.split('/').pop(),
					content_type: body.file.content_type ?? 'application/octet-stream',
					visibility: body.visibility,
				}
			: { type: 'message', text: body.text ?? '', visibility: body.visibility };
		const reply = this.sendEvent(chat, agentId, event);
		if (reply.status !== 200) throw new Error(JSON.stringify(reply.body));
		return clone(lastOf(this.activeThread(chat)!.events)!);
	}

	/** The chat's customer writes from the widget (incoming_event, author type customer). */
	customerSays(chatId: string, text: string): LiveChatEvent {
		const chat = this.requireChat(chatId);
		const customer = chat.users.find((u) => u.type === 'customer');
		if (!customer) throw new Error(`chat ${chatId} has no customer`);
		const reply = this.sendEvent(chat, customer.id, { type: 'message', text });
		if (reply.status !== 200) throw new Error(JSON.stringify(reply.body));
		return clone(lastOf(this.activeThread(chat)!.events)!);
	}

	/** An agent (or the router, without agentId) closes the thread (chat_deactivated). */
	deactivate(chatId: string, agentId?: string): void {
		const chat = this.requireChat(chatId);
		const reply = this.deactivateChat(chat, agentId);
		if (reply.status !== 200) throw new Error(JSON.stringify(reply.body));
	}

	/** An agent transfers the chat from the agent app (chat_transferred). */
	transfer(chatId: string, target: { groupId?: number; agentId?: string; reason?: string; requesterId?: string }): void {
		const chat = this.requireChat(chatId);
		const reply = this.transferChat(chat, target.requesterId ?? 'system', {
			target:
				target.agentId !== undefined
					? { type: 'agent', ids: [target.agentId] }
					: { type: 'group', ids: [target.groupId ?? 0] },
			ignore_agents_availability: true,
			ignore_requester_presence: true,
			reason: target.reason,
		});
		if (reply.status !== 200) throw new Error(JSON.stringify(reply.body));
	}

	/** The chat with every thread (oldest first), users and properties. */
	getChat(chatId: string): Record<string, unknown> | undefined {
		const chat = this.chats.get(chatId);
		if (!chat) return undefined;
		return clone({
			id: chat.id,
			users: chat.users.map((u) => this.userJson(u)),
			properties: chat.properties,
			access: chat.access,
			threads: chat.threads.map((t) => this.threadJson(t)),
		});
	}

	listChats(): Array<Record<string, unknown>> {
		return [...this.chats.keys()].map((id) => this.getChat(id)!);
	}

	/** Webhooks as registered, secrets included (LiveChat's own list_webhooks leaves them out). */
	getWebhooks(): LiveChatWebhook[] {
		return clone(this.webhooks);
	}

	/**
	 * Puts a file on the simulator's CDN as `upload_file` does (an agent attaching a file in the agent
	 * app uploads it first): the URL a `file` event, e.g. `agentSays(id, agent, {file: {url}})`, needs.
	 */
	storeFile(input: { name: string; contentType?: string; data: Buffer | string }): string {
		const name = input.name || 'file';
		const url = `${this.baseUrl}/cdn/${lowerId(16)}/${encodeURIComponent(name)}`;
		const data = typeof input.data === 'string' ? Buffer.from(input.data, 'utf8') : Buffer.from(input.data);
		if (data.length > MAX_UPLOAD_BYTES) throw new Error('Upload limit exceeded (10MB).');
		this.files.set(url, { name, contentType: input.contentType ?? 'application/octet-stream', data });
		return url;
	}

	getProperties(): PropertyRecord[] {
		return [...this.properties.values()].map((p) => clone(p));
	}

	/** Whether the app's license webhooks fire: installed, and not disabled since. */
	licenseWebhooksEnabled(clientId: string): boolean {
		const client = this.clients.get(clientId);
		return client !== undefined && client.installed && !client.webhooksDisabled;
	}

	getCalls(): LiveChatApiCall[] {
		return clone(this.calls);
	}

	getDeliveries(): LiveChatDeliveryAttempt[] {
		return clone(this.attempts);
	}

	/** Resolves when no webhook delivery is in flight or waiting for a retry. */
	async idle(timeoutMs = 10000): Promise<void> {
		await waitFor(() => this.pendingDeliveries === 0, timeoutMs);
	}

	reset(): void {
		this.timers.clearAll();
		this.outbox.abortAll();
		this.pendingDeliveries = 0;
		this.clients.clear();
		this.groups.clear();
		this.groups.set(0, { id: 0, name: 'General', language_code: 'en' });
		this.agents.clear();
		this.pats.clear();
		this.agentTokens.clear();
		this.bots.clear();
		this.customers.clear();
		this.customerTokens.clear();
		this.cookieIdentities.clear();
		this.chats.clear();
		this.webhooks = [];
		this.properties.clear();
		this.files.clear();
		this.calls = [];
		this.attempts = [];
		this.rateWindows.clear();
	}

	/** Demo data for people trying the simulator: an app, a group, two agents and a bot. */
	seedDemo(): {
		clientId: string;
		organizationId: string;
		group: LiveChatGroup;
		agents: Array<{ id: string; accountId: string; pat: string; basic: string }>;
		bot: LiveChatBot;
	} {
		const client = this.createClient({ name: 'n8n handoff demo', redirectUris: ['http://localhost:5678/'], installed: true });
		const group = this.createGroup({ name: 'Support' });
		const a1 = this.createAgent({ email: 'owner@example.com', name: 'Olivia Owner', role: 'owner', accepting: false });
		const a2 = this.createAgent({ email: 'agent@example.com', name: 'Alice Agent', groupIds: [group.id] });
		const bot = this.createBot({ name: 'Relay bot', groupIds: [group.id], clientId: client.id });
		return {
			clientId: client.id,
			organizationId: this.organizationId,
			group,
			agents: [a1, a2].map((a) => ({ id: a.agent.id, accountId: a.accountId, pat: a.pat, basic: a.basic })),
			bot,
		};
	}

	// ---------------------------------------------------------------- internals: records and JSON

	private resolveOptions(options: LiveChatSimulatorOptions): LiveChatSimulator['options'] {
		return {
			port: options.port ?? 0,
			host: options.host ?? '127.0.0.1',
			timeScale: options.timeScale ?? 1,
			hookTimeoutMs: options.hookTimeoutMs ?? 10_000,
			retryScheduleMs: options.retryScheduleMs ?? DEFAULT_RETRY_SCHEDULE_MS,
			organizationId: options.organizationId ?? crypto.randomUUID(),
			rateLimit: options.rateLimit ?? { requests: 0, windowMs: 1000 },
			customerTokenTtlSec: options.customerTokenTtlSec ?? 28800,
		};
	}

	private requireChat(chatId: string): ChatRecord {
		const chat = this.chats.get(chatId);
		if (!chat) throw new Error(`unknown chat ${chatId}`);
		return chat;
	}

	private activeThread(chat: ChatRecord): ThreadRecord | undefined {
		const last = lastOf(chat.threads);
		return last?.active ? last : undefined;
	}

	private userJson(user: ChatUser): Record<string, unknown> {
		if (user.type === 'customer') {
			const customer = this.customers.get(user.id);
			return { ...(customer ? clone(customer) : { id: user.id, type: 'customer' }), present: user.present };
		}
		const agent = this.agents.get(user.id);
		const bot = this.bots.get(user.id);
		return {
			id: user.id,
			type: 'agent',
			name: agent?.name ?? bot?.name ?? user.id,
			...(agent ? { email: agent.email } : {}),
			present: user.present,
			visibility: user.visibility,
		};
	}

	private threadJson(thread: ThreadRecord): Record<string, unknown> {
		const json: Record<string, unknown> = {
			id: thread.id,
			created_at: thread.created_at,
			active: thread.active,
			user_ids: [...thread.user_ids],
			events: clone(thread.events),
			properties: clone(thread.properties),
			access: clone(thread.access),
		};
		if (thread.queue) json.queue = clone(thread.queue);
		if (thread.previous_thread_id) json.previous_thread_id = thread.previous_thread_id;
		return json;
	}

	/** Agent Chat API `get_chat`: the chat with one thread. */
	private chatJson(chat: ChatRecord, thread?: ThreadRecord): Record<string, unknown> {
		const json: Record<string, unknown> = {
			id: chat.id,
			users: chat.users.map((u) => this.userJson(u)),
			properties: clone(chat.properties),
			access: clone(chat.access),
			is_followed: false,
		};
		const shown = thread ?? lastOf(chat.threads);
		if (shown) json.thread = this.threadJson(shown);
		return json;
	}

	/** `list_chats`: chat summaries. */
	private summaryJson(chat: ChatRecord): Record<string, unknown> {
		const last = lastOf(chat.threads);
		const lastEventPerType: Record<string, unknown> = {};
		for (const thread of chat.threads) {
			for (const event of thread.events) {
				lastEventPerType[event.type] = { thread_id: thread.id, thread_created_at: thread.created_at, event: clone(event) };
			}
		}
		return {
			id: chat.id,
			last_event_per_type: lastEventPerType,
			users: chat.users.map((u) => this.userJson(u)),
			last_thread_summary: last
				? {
						id: last.id,
						created_at: last.created_at,
						user_ids: [...last.user_ids],
						properties: clone(last.properties),
						active: last.active,
						access: clone(last.access),
						...(last.queue ? { queue: clone(last.queue) } : {}),
					}
				: undefined,
			properties: clone(chat.properties),
			access: clone(chat.access),
			is_followed: false,
		};
	}

	private addUser(chat: ChatRecord, id: string, type: 'agent' | 'customer', visibility: 'all' | 'agents'): void {
		if (!chat.users.some((u) => u.id === id)) chat.users.push({ id, type, present: true, visibility });
		const thread = this.activeThread(chat);
		if (thread && !thread.user_ids.includes(id)) thread.user_ids.push(id);
	}

	private agentsInGroup(groupId: number): LiveChatAgent[] {
		return [...this.agents.values()].filter((a) => a.group_ids.includes(groupId));
	}

	/** CHOICE: routing picks the accepting agent of the groups with the fewest active chats. */
	private pickAgent(groupIds: number[]): LiveChatAgent | undefined {
		const candidates = groupIds.flatMap((g) => this.agentsInGroup(g)).filter((a) => a.accepting);
		const load = (agent: LiveChatAgent) =>
			[...this.chats.values()].filter((c) => this.activeThread(c) && c.users.some((u) => u.id === agent.id)).length;
		return [...new Set(candidates)].sort((a, b) => load(a) - load(b) || a.id.localeCompare(b.id))[0];
	}

	private queueFor(): { position: number; wait_time: number; queued_at: string } {
		const queued = [...this.chats.values()].filter((c) => this.activeThread(c)?.queue).length;
		return { position: queued + 1, wait_time: 60 * (queued + 1), queued_at: nowStamp() };
	}

	// ---------------------------------------------------------------- internals: properties

	private propertyKey(namespace: string, name: string): string {
		return `${namespace}/${name}`;
	}

	/**
	 * Properties must be registered before they are set (Configuration API, "Properties"); the
	 * license's `test` namespace holds rw test properties for everyone.
	 * CHOICE: access rules (private vs published, agent vs customer) are not enforced.
	 */
	private validateProperties(properties: unknown): string | undefined {
		if (properties === undefined) return undefined;
		if (!isObject(properties)) return 'properties must be an object';
		for (const [namespace, values] of Object.entries(properties)) {
			if (!isObject(values)) return `properties.${namespace} must be an object`;
			for (const [name, value] of Object.entries(values)) {
				if (namespace === 'test') continue;
				const property = this.properties.get(this.propertyKey(namespace, name));
				if (!property) return `Property ${namespace}.${name} is not registered`;
				const type = property.type === 'tokenized_string' ? 'string' : property.type;
				const actual = type === 'int' ? 'number' : type === 'bool' ? 'boolean' : 'string';
				if (typeof value !== actual) return `Property ${namespace}.${name} must be of type ${property.type}`;
			}
		}
		return undefined;
	}

	private matchesPropertyFilter(chat: ChatRecord, filter: Record<string, any>): boolean {
		for (const [namespace, names] of Object.entries(filter)) {
			if (!isObject(names)) return false;
			for (const [name, condition] of Object.entries(names)) {
				if (!isObject(condition)) return false;
				const value = chat.properties[namespace]?.[name];
				if (condition.exists !== undefined && (value !== undefined) !== condition.exists) return false;
				if (Array.isArray(condition.values) && !condition.values.includes(value)) return false;
				if (Array.isArray(condition.exclude_values) && condition.exclude_values.includes(value)) return false;
			}
		}
		return true;
	}

	// ---------------------------------------------------------------- internals: chat actions

	private buildEvents(
		thread: ThreadRecord,
		authorId: string,
		events: unknown,
	): { events?: LiveChatEvent[]; error?: Reply } {
		if (events === undefined) return { events: [] };
		if (!Array.isArray(events)) return { error: fail('validation', 'thread.events must be an array') };
		const built: LiveChatEvent[] = [];
		for (const raw of events) {
			const checked = this.checkEvent(raw);
			if (checked) return { error: checked };
			built.push(this.makeEvent(thread, authorId, raw, built.length));
		}
		return { events: built };
	}

	/** Event request validation (data structures: Message, File, Rich message, System message, Custom). */
	private checkEvent(event: unknown): Reply | undefined {
		if (!isObject(event)) return fail('validation', 'event must be an object');
		const type = event.type;
		if (event.visibility !== undefined && event.visibility !== 'all' && event.visibility !== 'agents') {
			return fail('validation', 'event.visibility must be one of: all, agents');
		}
		if (event.custom_id !== undefined && typeof event.custom_id !== 'string') return fail('validation', 'event.custom_id must be a string');
		if (type === 'message') {
			if (typeof event.text !== 'string' || event.text === '') return fail('validation', 'event.text is required');
			if (Buffer.byteLength(event.text, 'utf8') > MAX_MESSAGE_BYTES) return fail('validation', 'event.text is too long');
			return undefined;
		}
		if (type === 'file') {
			if (typeof event.url !== 'string' || event.url === '') return fail('validation', 'event.url is required');
			if (!this.fileForUrl(event.url)) return fail('validation', 'event.url has to point to the LiveChat CDN');
			return undefined;
		}
		if (type === 'rich_message') {
			if (!['cards', 'sticker', 'quick_replies', 'ecommerce'].includes(event.template_id as string)) {
				return fail('validation', 'event.template_id must be one of: cards, sticker, quick_replies, ecommerce');
			}
			if (event.elements !== undefined && (!Array.isArray(event.elements) || event.elements.length > 10)) {
				return fail('validation', 'event.elements must be an array of up to 10 elements');
			}
			return undefined;
		}
		if (type === 'system_message' || type === 'custom') return undefined;
		return fail('validation', `event.type "${String(type)}" is not supported`);
	}

	private makeEvent(thread: ThreadRecord, authorId: string | undefined, raw: Record<string, any>, offset = 0): LiveChatEvent {
		const event: LiveChatEvent = {
			id: `${thread.id}_${thread.events.length + offset + 1}`,
			created_at: nowStamp(),
			visibility: raw.visibility ?? 'all',
			type: raw.type,
		};
		if (authorId && raw.type !== 'system_message') event.author_id = authorId;
		if (raw.custom_id) event.custom_id = raw.custom_id;
		if (raw.properties) event.properties = clone(raw.properties);
		if (raw.type === 'message' || raw.type === 'system_message') event.text = raw.text;
		if (raw.type === 'system_message' && raw.system_message_type) event.system_message_type = raw.system_message_type;
		if (raw.type === 'file') {
			const file = this.fileForUrl(raw.url);
			event.url = raw.url;
			event.name = raw.name ?? file?.name ?? String(raw.url).split('/').pop();
			event.content_type = raw.content_type ?? file?.contentType ?? 'application/octet-stream';
			if (file) event.size = file.data.length;
			if (String(event.content_type).startsWith('image/')) {
				event.thumbnail_url = raw.url;
				event.thumbnail2x_url = raw.url;
				if (raw.alternative_text) event.alternative_text = raw.alternative_text;
			}
		}
		if (raw.type === 'rich_message') {
			event.template_id = raw.template_id;
			event.elements = clone(raw.elements ?? []);
		}
		if (raw.type === 'custom' && raw.content !== undefined) event.content = clone(raw.content);
		return event;
	}

	/** Uploaded files live under `/cdn/...` here; livechat-files.com URLs are taken as uploaded too. */
	private fileForUrl(url: unknown): { name: string; contentType: string; data: Buffer } | undefined {
		if (typeof url !== 'string') return undefined;
		const own = this.files.get(url);
		if (own) return own;
		try {
			if (/(^|\.)livechat-files\.com$/.test(new URL(url).hostname)) {
				return { name: url.split('/').pop() ?? 'file', contentType: 'application/octet-stream', data: Buffer.alloc(0) };
			}
		} catch {
			return undefined;
		}
		return undefined;
	}

	private newThread(chat: ChatRecord, access: { group_ids: number[] }, properties: unknown, active: boolean): ThreadRecord {
		const thread: ThreadRecord = {
			id: upperId(),
			active,
			created_at: nowStamp(),
			user_ids: chat.users.map((u) => u.id),
			events: [],
			properties: isObject(properties) ? clone(properties) : {},
			access: clone(access),
		};
		const previous = lastOf(chat.threads);
		if (previous) thread.previous_thread_id = previous.id;
		return thread;
	}

	/** Agent Chat API and Customer Chat API `start_chat`. */
	private startChat(requesterId: string, requesterType: 'agent' | 'customer', body: any): Reply {
		const input = isObject(body?.chat) ? body.chat : {};
		const propertyError = this.validateProperties(input.properties);
		if (propertyError) return fail('validation', propertyError);
		if (isObject(input.thread)) {
			const threadPropertyError = this.validateProperties(input.thread.properties);
			if (threadPropertyError) return fail('validation', threadPropertyError);
		}
		const groupIds: number[] = Array.isArray(input.access?.group_ids) ? input.access.group_ids : [0];
		for (const id of groupIds) {
			if (!Number.isInteger(id) || !this.groups.has(id)) return fail('validation', `Group ${String(id)} not found`);
		}
		const users: ChatUser[] = [{ id: requesterId, type: requesterType, present: true, visibility: 'all' }];
		if (input.users !== undefined) {
			if (!Array.isArray(input.users)) return fail('validation', 'chat.users must be an array');
			let customers = requesterType === 'customer' ? 1 : 0;
			let agents = 0;
			for (const user of input.users) {
				if (!isObject(user) || typeof user.id !== 'string' || !['agent', 'customer'].includes(user.type)) {
					return fail('validation', 'chat.users[] needs id and type (agent, customer)');
				}
				if (user.type === 'customer') {
					if (!this.customers.has(user.id)) return fail('not_found', `Customer ${user.id} not found`);
					customers += 1;
				} else {
					if (!this.agents.has(user.id) && !this.bots.has(user.id)) return fail('not_found', `Agent ${user.id} not found`);
					agents += 1;
				}
				if (!users.some((u) => u.id === user.id)) users.push({ id: user.id, type: user.type, present: true, visibility: 'all' });
			}
			if (customers > 1) return fail('validation', 'Only 1 customer allowed');
			if (agents > 4) return fail('validation', 'Up to 4 additional agents allowed');
		}
		if (requesterType === 'customer') {
			// CHOICE: one chat per customer (the default routing.max_customer_chats_count).
			const existing = [...this.chats.values()].find((c) => c.users.some((u) => u.id === requesterId));
			if (existing) return fail('validation', 'Customer already has a chat; use resume_chat');
		}
		const chat: ChatRecord = {
			id: upperId(),
			users,
			properties: isObject(input.properties) ? clone(input.properties) : {},
			access: { group_ids: groupIds },
			threads: [],
			seq: ++this.chatSeq,
			touched: Date.now(),
		};
		const active = body?.active !== false;
		const thread = this.newThread(chat, chat.access, input.thread?.properties, active);
		const built = this.buildEvents(thread, requesterId, input.thread?.events);
		if (built.error) return built.error;
		thread.events.push(...built.events!);
		if (requesterType === 'customer' && active) this.route(chat, thread, groupIds);
		chat.threads.push(thread);
		this.chats.set(chat.id, chat);
		this.emitIncomingChat(chat, thread);
		const reply: Record<string, unknown> = { chat_id: chat.id, thread_id: thread.id };
		if (built.events!.length > 0) reply.event_ids = built.events!.map((e) => e.id);
		return ok(reply);
	}

	/** Assigns an accepting agent of the groups, or queues the thread. */
	private route(chat: ChatRecord, thread: ThreadRecord, groupIds: number[]): LiveChatAgent | undefined {
		const agent = this.pickAgent(groupIds);
		if (agent) {
			if (!chat.users.some((u) => u.id === agent.id)) chat.users.push({ id: agent.id, type: 'agent', present: true, visibility: 'all' });
			if (!thread.user_ids.includes(agent.id)) thread.user_ids.push(agent.id);
			delete thread.queue;
		} else {
			thread.queue = this.queueFor();
		}
		return agent;
	}

	private resumeChat(requesterId: string, requesterType: 'agent' | 'customer', body: any): Reply {
		const input = isObject(body?.chat) ? body.chat : {};
		if (typeof input.id !== 'string') return fail('validation', 'chat.id is required');
		const chat = this.chats.get(input.id);
		if (!chat) return fail('not_found', 'Chat not found');
		if (this.activeThread(chat)) return fail('validation', 'Chat is already active');
		const propertyError = this.validateProperties(input.properties);
		if (propertyError) return fail('validation', propertyError);
		if (isObject(input.properties)) {
			for (const [namespace, values] of Object.entries(input.properties)) {
				chat.properties[namespace] = { ...(chat.properties[namespace] ?? {}), ...(values as Record<string, unknown>) };
			}
		}
		if (Array.isArray(input.access?.group_ids)) chat.access = { group_ids: input.access.group_ids };
		if (!chat.users.some((u) => u.id === requesterId)) {
			chat.users.push({ id: requesterId, type: requesterType, present: true, visibility: 'all' });
		}
		const thread = this.newThread(chat, chat.access, input.thread?.properties, body?.active !== false);
		thread.user_ids = [...new Set([requesterId, ...chat.users.filter((u) => u.type === 'customer').map((u) => u.id)])];
		const built = this.buildEvents(thread, requesterId, input.thread?.events);
		if (built.error) return built.error;
		thread.events.push(...built.events!);
		if (requesterType === 'customer') this.route(chat, thread, chat.access.group_ids);
		chat.threads.push(thread);
		chat.touched = Date.now();
		this.emitIncomingChat(chat, thread);
		const reply: Record<string, unknown> = { thread_id: thread.id };
		if (built.events!.length > 0) reply.event_ids = built.events!.map((e) => e.id);
		return ok(reply);
	}

	private sendEvent(chat: ChatRecord, authorId: string, raw: unknown): Reply {
		const thread = this.activeThread(chat);
		if (!thread) return fail('chat_inactive');
		const checked = this.checkEvent(raw);
		if (checked) return checked;
		const user = chat.users.find((u) => u.id === authorId);
		// Agent Chat API, Send Event: "The user must be added to the chat before they can send an event."
		if (!user) return fail('validation', 'Author is not present in the chat');
		if (user.visibility === 'agents' && (raw as Record<string, unknown>).visibility !== 'agents') {
			return fail('validation', 'Users with visibility agents cannot send events with visibility all');
		}
		const event = this.makeEvent(thread, authorId, raw as Record<string, any>);
		thread.events.push(event);
		chat.touched = Date.now();
		this.emit('incoming_event', { chat_id: chat.id, thread_id: thread.id, event: clone(event) }, chat, user.type);
		return ok({ event_id: event.id });
	}

	private deactivateChat(chat: ChatRecord, requesterId?: string, ignorePresence = true): Reply {
		const thread = this.activeThread(chat);
		if (!thread) return fail('chat_inactive');
		if (requesterId && !ignorePresence && !chat.users.some((u) => u.id === requesterId)) {
			return fail('validation', 'Requester is not present in the chat');
		}
		thread.active = false;
		delete thread.queue;
		chat.touched = Date.now();
		const payload: Record<string, unknown> = { chat_id: chat.id, thread_id: thread.id };
		if (requesterId) payload.user_id = requesterId;
		this.emit('chat_deactivated', payload, chat);
		return ok({});
	}

	private transferChat(chat: ChatRecord, requesterId: string, body: any): Reply {
		const thread = this.activeThread(chat);
		if (!thread) return fail('chat_inactive');
		if (body?.ignore_requester_presence !== true && !chat.users.some((u) => u.id === requesterId)) {
			return fail('validation', 'Requester is not present in the chat');
		}
		const target = body?.target ?? { type: 'group', ids: chat.access.group_ids };
		if (!isObject(target) || !['group', 'agent'].includes(target.type as string) || !Array.isArray(target.ids) || target.ids.length === 0) {
			return fail('validation', 'target needs type (group, agent) and ids');
		}
		let assigned: LiveChatAgent | undefined;
		let groupIds = chat.access.group_ids;
		if (target.type === 'group') {
			for (const id of target.ids) if (!this.groups.has(id as number)) return fail('validation', `Group ${String(id)} not found`);
			groupIds = target.ids as number[];
			assigned = this.pickAgent(groupIds);
			// The message Botpress's integration checks for (botpress/growth livechat-hitl, its "transfer_chat" handling).
			if (!assigned && body?.ignore_agents_availability !== true) {
				return fail('validation', 'Cannot assign any agent from requested groups');
			}
		} else {
			const agent = this.agents.get(String(target.ids[0]));
			if (!agent) return fail('not_found', 'Agent not found');
			if (!agent.accepting && body?.ignore_agents_availability !== true) return fail('validation', 'Agent is not available');
			assigned = agent.accepting ? agent : undefined;
		}
		// CHOICE: the agents who had the chat leave it; bots and the customer stay.
		chat.users = chat.users.filter((u) => u.type === 'customer' || this.bots.has(u.id));
		thread.user_ids = thread.user_ids.filter((id) => chat.users.some((u) => u.id === id));
		chat.access = { group_ids: groupIds };
		thread.access = { group_ids: groupIds };
		if (assigned) {
			chat.users.push({ id: assigned.id, type: 'agent', present: true, visibility: 'all' });
			thread.user_ids.push(assigned.id);
			delete thread.queue;
		} else {
			thread.queue = this.queueFor();
		}
		chat.touched = Date.now();
		const payload: Record<string, unknown> = {
			chat_id: chat.id,
			thread_id: thread.id,
			requester_id: requesterId,
			reason: typeof body?.reason === 'string' ? body.reason : 'manual',
			transferred_to: target.type === 'group'
				? { group_ids: groupIds, agent_ids: assigned ? [assigned.id] : [] }
				: { agent_ids: target.ids },
		};
		if (thread.queue) payload.queue = clone(thread.queue);
		this.emit('chat_transferred', payload, chat);
		return ok({});
	}

	// ---------------------------------------------------------------- internals: webhooks

	private emitIncomingChat(chat: ChatRecord, thread: ThreadRecord): void {
		this.emit('incoming_chat', { chat: { ...this.chatJson(chat, thread) } }, chat);
	}

	/** Delivers `action` to every webhook registered for it whose filters match. */
	private emit(action: string, payload: Record<string, unknown>, chat: ChatRecord, authorType?: 'agent' | 'customer'): void {
		if (this.stopped) return;
		for (const webhook of this.webhooks) {
			if (webhook.action !== action) continue;
			// Docs: license webhooks fire for licenses that installed the app (unless disabled there).
			if (webhook.type === 'license' && !this.licenseWebhooksEnabled(webhook.owner_client_id)) continue;
			const filters = webhook.filters ?? {};
			if (filters.author_type !== undefined && filters.author_type !== authorType) continue;
			const body: Record<string, unknown> = {
				webhook_id: webhook.id,
				secret_key: webhook.secret_key,
				action,
				organization_id: this.organizationId,
				payload: clone(payload),
			};
			const additional: Record<string, unknown> = {};
			if (webhook.additional_data?.includes('chat_properties')) additional.chat_properties = clone(chat.properties);
			if (webhook.additional_data?.includes('chat_presence_user_ids')) {
				additional.chat_presence_user_ids = chat.users.filter((u) => u.present).map((u) => u.id);
			}
			if (Object.keys(additional).length > 0) body.additional_data = additional;
			this.deliver(webhook, body);
		}
	}

	/** One delivery: POSTed until a 200 within `hookTimeoutMs`, retried on the schedule, then given up. */
	private deliver(webhook: LiveChatWebhook, body: Record<string, unknown>): void {
		const deliveryId = crypto.randomUUID();
		let attempt = 0;
		this.pendingDeliveries += 1;
		const run = async (): Promise<void> => {
			attempt += 1;
			const record: LiveChatDeliveryAttempt = {
				deliveryId,
				webhookId: webhook.id,
				action: webhook.action,
				url: webhook.url,
				attempt,
				at: Date.now(),
				status: null,
				body,
			};
			this.attempts.push(record);
			try {
				const res = await this.outbox.request(webhook.url, {
					method: 'POST',
					// CHOICE: the headers LiveChat sends are not documented; the secret is in the body.
					headers: { 'Content-Type': 'application/json', 'User-Agent': 'LiveChat-Webhooks (simulator)' },
					body,
					timeoutMs: this.options.hookTimeoutMs,
				});
				record.status = res.status;
			} catch (err) {
				record.error = String((err as Error)?.message ?? err);
			}
			if (this.stopped) return;
			// Docs: anything but HTTP 200 (within the timeout) is retried.
			const delivered = record.status === 200;
			const retryIndex = attempt - 1;
			if (!delivered && retryIndex < this.options.retryScheduleMs.length) {
				const delay = this.options.retryScheduleMs[retryIndex] * this.options.timeScale;
				record.retryInMs = delay;
				this.timers.set(() => void run(), delay);
				return;
			}
			if (!delivered) record.gaveUp = true;
			this.pendingDeliveries -= 1;
		};
		void run();
	}

	// ---------------------------------------------------------------- internals: HTTP

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://localhost');
		const method = (req.method ?? 'GET').toUpperCase();
		let raw: Buffer;
		try {
			raw = await readRaw(req);
		} catch {
			this.reply(res, fail('entity_too_large'));
			return;
		}
		const path = url.pathname;

		if (path === '/_control' || path.startsWith('/_control/')) {
			this.handleControl(method, path, raw, res);
			return;
		}
		if (method === 'GET' && path.startsWith('/cdn/')) {
			const file = this.files.get(`${this.baseUrl}${path}`);
			if (!file) sendJson(res, 404, { error: { type: 'not_found', message: 'File not found' } });
			else {
				res.writeHead(200, { 'Content-Type': file.contentType, 'Content-Length': String(file.data.length) });
				res.end(file.data);
			}
			return;
		}
		if (path === '/v2/customer/token') {
			this.reply(res, this.record(req, raw, url, 'accounts', 'customer_token', 'v2', () => this.customerTokenRoute(req, raw)));
			return;
		}
		const match = /^\/(v\d+\.\d+)\/(agent|customer|configuration)\/action\/([a-z_]+)$/.exec(path);
		if (!match) {
			sendJson(res, 404, { error: { type: 'not_found', message: `No route ${method} ${path}` } });
			return;
		}
		const [, version, api, action] = match;
		this.reply(
			res,
			this.record(req, raw, url, api, action, version, () => {
				if (method !== 'POST') return fail('validation', 'Use POST');
				if (!SUPPORTED_VERSIONS.includes(version)) return fail('unsupported_version');
				const who = this.authenticate(req, api, queryOf(url));
				if ('status' in who) return who;
				const limited = this.rateLimited(who.token);
				if (limited) return limited;
				let body: any = {};
				const contentType = String(req.headers['content-type'] ?? '');
				if (action !== 'upload_file') {
					if (raw.length > 0) {
						try {
							body = JSON.parse(raw.toString('utf8'));
						} catch {
							return fail('validation', 'Invalid JSON');
						}
					}
					if (!isObject(body)) return fail('validation', 'Request body must be a JSON object');
				} else if (!contentType.toLowerCase().startsWith('multipart/form-data')) {
					return fail('validation', 'upload_file needs multipart/form-data');
				}
				let actorId = who.kind === 'agent' ? who.agent.id : who.customer.id;
				const authorHeader = req.headers['x-author-id'];
				if (authorHeader !== undefined) {
					// Docs: X-Author-Id works up to v3.5; v3.6 removed it in favour of bot tokens.
					if (version !== 'v3.5' || api !== 'agent') {
						return fail('validation', 'X-Author-Id header is not supported in this API version');
					}
					const botId = String(authorHeader);
					if (!this.bots.has(botId)) return fail('not_found', `Bot ${botId} not found`);
					actorId = botId;
				}
				const ctx: Ctx = { version, body, query: queryOf(url), headers: req.headers, who, actorId, raw };
				if (api === 'agent') return this.agentAction(action, ctx);
				if (api === 'customer') return this.customerAction(action, ctx);
				return this.configurationAction(action, ctx);
			}),
		);
	}

	private reply(res: http.ServerResponse, reply: Reply): void {
		const single: Record<string, string> = {};
		for (const [name, value] of Object.entries(reply.headers ?? {})) {
			if (Array.isArray(value)) res.setHeader(name, value);
			else single[name] = value;
		}
		sendJson(res, reply.status, reply.body, single);
	}

	private record(
		req: http.IncomingMessage,
		raw: Buffer,
		url: URL,
		api: string,
		action: string,
		version: string,
		run: () => Reply,
	): Reply {
		let body: unknown = undefined;
		const contentType = String(req.headers['content-type'] ?? '');
		if (contentType.includes('json')) {
			try {
				body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : undefined;
			} catch {
				body = raw.toString('utf8');
			}
		} else if (raw.length > 0) {
			body = `<${raw.length} bytes ${contentType}>`;
		}
		const call: LiveChatApiCall = {
			at: Date.now(),
			method: req.method ?? 'POST',
			path: url.pathname,
			api,
			action,
			version,
			query: queryOf(url),
			headers: req.headers,
			body,
		};
		this.calls.push(call);
		const reply = run();
		call.status = reply.status;
		return reply;
	}

	private rateLimited(identity: string): Reply | undefined {
		const { requests, windowMs } = this.options.rateLimit;
		if (!requests) return undefined;
		const now = Date.now();
		const recent = (this.rateWindows.get(identity) ?? []).filter((at) => now - at < windowMs);
		if (recent.length >= requests) {
			this.rateWindows.set(identity, recent);
			// UNCONFIRMED: whether LiveChat sends Retry-After; the simulator does, rounded up to seconds.
			const wait = Math.ceil((windowMs - (now - recent[0])) / 1000);
			return { ...fail('too_many_requests'), headers: { 'Retry-After': String(Math.max(1, wait)) } };
		}
		recent.push(now);
		this.rateWindows.set(identity, recent);
		return undefined;
	}

	/** Agent and Configuration APIs: PAT as Basic, or an agent Bearer token. Customer API: a customer token. */
	private authenticate(req: http.IncomingMessage, api: string, query: Record<string, string>): Identity | Reply {
		const header = String(req.headers.authorization ?? '');
		const [scheme, value] = header.trim().split(/\s+/, 2);
		if (api === 'customer') {
			if (!query.organization_id) return fail('validation', 'organization_id is required');
			if (query.organization_id !== this.organizationId) return fail('validation', 'Organization not found');
			if (scheme?.toLowerCase() !== 'bearer' || !value) return fail('authentication');
			const entry = this.customerTokens.get(value);
			if (!entry || entry.expiresAt <= Date.now()) return fail('authentication');
			const customer = this.customers.get(entry.entityId);
			if (!customer) return fail('authentication');
			return { kind: 'customer', customer, token: value, clientId: entry.clientId };
		}
		const agent = this.agentFromAuthorization(scheme, value);
		if (!agent) return fail('authentication');
		return { kind: 'agent', agent, token: value };
	}

	private agentFromAuthorization(scheme: string | undefined, value: string | undefined): LiveChatAgent | undefined {
		if (!scheme || !value) return undefined;
		if (scheme.toLowerCase() === 'bearer') {
			const id = this.agentTokens.get(value);
			return id ? this.agents.get(id) : undefined;
		}
		if (scheme.toLowerCase() !== 'basic') return undefined;
		const decoded = Buffer.from(value, 'base64').toString('utf8');
		const colon = decoded.indexOf(':');
		if (colon <= 0) return undefined;
		const entry = this.pats.get(decoded.slice(0, colon));
		if (!entry) return undefined;
		const given = Buffer.from(decoded.slice(colon + 1));
		const expected = Buffer.from(entry.pat);
		if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return undefined;
		return this.agents.get(entry.agentId);
	}

	/**
	 * Accounts `POST /v2/customer/token` (docs: authorization/customer-authorization, Customer
	 * Accounts API spec). Every refusal is a 401 with `{oauth_exception, exception_description}`.
	 * CHOICE: the identity_token grant is not simulated (unsupported_grant_type).
	 */
	private customerTokenRoute(req: http.IncomingMessage, raw: Buffer): Reply {
		// Docs: invalid_request for a wrong HTTP method or an invalid body encoding.
		if ((req.method ?? '').toUpperCase() !== 'POST') return oauthFail('invalid_request');
		let body: any;
		try {
			body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : {};
		} catch {
			return oauthFail('invalid_request');
		}
		if (!isObject(body)) return oauthFail('invalid_request');
		if (body.grant_type !== 'agent_token' && body.grant_type !== 'cookie') return oauthFail('unsupported_grant_type');
		if (body.response_type === undefined) return oauthFail('invalid_request');
		if (body.response_type !== 'token') return oauthFail('unsupported_response_type');
		// Docs: unauthorized_client for a missing or unknown client ID (detail client_id_not_found).
		const client = typeof body.client_id === 'string' ? this.clients.get(body.client_id) : undefined;
		if (!client) return oauthFail('unauthorized_client', 'client_id_not_found');
		return body.grant_type === 'cookie' ? this.cookieGrant(req, body, client) : this.agentTokenGrant(req, body, client);
	}

	/**
	 * Agent-token grant: an agent access token as Bearer; docs: every agent authorization flow's
	 * tokens "except for Personal Access Tokens". UNCONFIRMED: the exception LiveChat names for a
	 * personal access token (Basic) or no token — invalid_request here; an unknown or expired Bearer
	 * token is invalid_grant (docs: "access token expired" among its reasons).
	 */
	private agentTokenGrant(req: http.IncomingMessage, body: any, client: ClientRecord): Reply {
		const [scheme, value] = String(req.headers.authorization ?? '').trim().split(/\s+/, 2);
		if (scheme?.toLowerCase() !== 'bearer' || !value) return oauthFail('invalid_request');
		if (!this.agentTokens.has(value)) return oauthFail('invalid_grant');
		let customer: LiveChatCustomer | undefined;
		if (body.entity_id !== undefined) {
			customer = this.customers.get(String(body.entity_id));
			// UNCONFIRMED: the exception for an entity_id that is no customer.
			if (!customer) return oauthFail('invalid_request');
		} else {
			customer = this.customers.get(this.createCustomer().id)!;
		}
		return ok({ ...this.issueCustomerToken(customer.id, client.id), client_id: client.id });
	}

	/**
	 * Cookie grant: no agent token; `organization_id` required; `redirect_uri` (default: the Origin
	 * header) must be one of the app's redirect URIs, exactly. The `__lc_cid` / `__lc_cst` cookies
	 * sent back identify the existing customer; the answer sets them again (their lifetime renewed).
	 * UNCONFIRMED: an Authorization header is ignored. GUESS: an unknown or mismatched cookie pair
	 * gets a new identity, as a browser without cookies would.
	 */
	private cookieGrant(req: http.IncomingMessage, body: any, client: ClientRecord): Reply {
		// UNCONFIRMED: the exception for a missing or foreign organization_id.
		if (typeof body.organization_id !== 'string' || body.organization_id !== this.organizationId) return oauthFail('invalid_request');
		if (client.redirectUris.length === 0) return oauthFail('unauthorized_client', 'redirect_uri_not_set');
		const redirectUri = typeof body.redirect_uri === 'string' && body.redirect_uri !== '' ? body.redirect_uri : req.headers.origin;
		if (typeof redirectUri !== 'string' || !client.redirectUris.includes(redirectUri)) {
			return oauthFail('unauthorized_client', 'invalid_redirect_uri');
		}
		const sent = cookiesOf(req.headers.cookie);
		const known = sent.__lc_cid ? this.cookieIdentities.get(sent.__lc_cid) : undefined;
		let cid = sent.__lc_cid;
		let entry = known && known.cst === sent.__lc_cst ? known : undefined;
		if (!entry || !this.customers.has(entry.entityId)) {
			cid = crypto.randomUUID();
			entry = { cst: crypto.randomBytes(36).toString('hex'), entityId: this.createCustomer().id };
			this.cookieIdentities.set(cid, entry);
		}
		const { client_id: _client, ...token } = this.issueCustomerToken(entry.entityId, client.id);
		return {
			...ok(token),
			headers: { 'Set-Cookie': [setCookie('__lc_cid', cid), setCookie('__lc_cst', entry.cst)] },
		};
	}

	private issueCustomerToken(entityId: string, clientId: string): Record<string, unknown> {
		const token = `dal:${crypto.randomBytes(18).toString('base64url')}`;
		const ttl = this.options.customerTokenTtlSec;
		this.customerTokens.set(token, { entityId, clientId, expiresAt: Date.now() + ttl * 1000 });
		return {
			access_token: token,
			client_id: clientId,
			entity_id: entityId,
			expires_in: ttl,
			token_type: 'Bearer',
			organization_id: this.organizationId,
		};
	}

	private findChatFor(ctx: Ctx, key: 'chat_id' | 'id'): ChatRecord | Reply {
		const id = ctx.body[key];
		if (typeof id !== 'string' || id === '') return fail('validation', `${key} is required`);
		const chat = this.chats.get(id);
		if (!chat) return fail('not_found', 'Chat not found');
		return chat;
	}

	private agentAction(action: string, ctx: Ctx): Reply {
		const { body } = ctx;
		const requester = ctx.actorId;
		switch (action) {
			case 'list_chats': {
				if (body.page_id !== undefined && (body.filters !== undefined || body.limit !== undefined || body.sort_order !== undefined)) {
					return fail('validation', 'filters, limit and sort_order cannot be used with page_id');
				}
				let state: { filters: any; limit: number; sort: string; offset: number };
				if (body.page_id !== undefined) {
					try {
						state = JSON.parse(Buffer.from(String(body.page_id), 'base64').toString('utf8'));
					} catch {
						return fail('validation', 'Invalid page_id');
					}
				} else {
					const limit = body.limit === undefined ? 10 : Number(body.limit);
					if (!Number.isInteger(limit) || limit < 1 || limit > 100) return fail('validation', 'limit must be between 1 and 100');
					if (body.sort_order !== undefined && !['asc', 'desc'].includes(body.sort_order)) {
						return fail('validation', 'sort_order must be asc or desc');
					}
					state = { filters: body.filters ?? {}, limit, sort: body.sort_order ?? 'desc', offset: 0 };
				}
				const filters = isObject(state.filters) ? state.filters : {};
				let list = [...this.chats.values()];
				if (typeof filters.active === 'boolean') list = list.filter((c) => Boolean(this.activeThread(c)) === filters.active);
				if (Array.isArray(filters.group_ids)) {
					list = list.filter((c) => c.access.group_ids.some((g) => (filters.group_ids as number[]).includes(g)));
				}
				if (isObject(filters.properties)) list = list.filter((c) => this.matchesPropertyFilter(c, filters.properties));
				list.sort((a, b) => (a.touched - b.touched || a.seq - b.seq) * (state.sort === 'asc' ? 1 : -1));
				const page = list.slice(state.offset, state.offset + state.limit);
				const reply: Record<string, unknown> = { chats_summary: page.map((c) => this.summaryJson(c)), found_chats: list.length };
				const encode = (offset: number) => Buffer.from(JSON.stringify({ ...state, offset })).toString('base64');
				if (state.offset + state.limit < list.length) reply.next_page_id = encode(state.offset + state.limit);
				if (state.offset > 0) reply.previous_page_id = encode(Math.max(0, state.offset - state.limit));
				return ok(reply);
			}
			case 'get_chat': {
				const chat = this.findChatFor(ctx, 'chat_id');
				if ('status' in chat) return chat;
				let thread: ThreadRecord | undefined;
				if (body.thread_id !== undefined) {
					thread = chat.threads.find((t) => t.id === body.thread_id);
					if (!thread) return fail('not_found', 'Thread not found');
				}
				return ok(this.chatJson(chat, thread));
			}
			case 'start_chat':
				return this.startChat(requester, 'agent', body);
			case 'resume_chat':
				return this.resumeChat(requester, 'agent', body);
			case 'deactivate_chat': {
				const chat = this.findChatFor(ctx, 'id');
				if ('status' in chat) return chat;
				return this.deactivateChat(chat, requester, body.ignore_requester_presence === true);
			}
			case 'transfer_chat': {
				const chat = this.findChatFor(ctx, 'id');
				if ('status' in chat) return chat;
				return this.transferChat(chat, requester, { ...body, reason: 'manual' });
			}
			case 'add_user_to_chat': {
				const chat = this.findChatFor(ctx, 'chat_id');
				if ('status' in chat) return chat;
				if (!this.activeThread(chat)) return fail('chat_inactive');
				if (typeof body.user_id !== 'string') return fail('validation', 'user_id is required');
				if (!['agent', 'customer'].includes(body.user_type)) return fail('validation', 'user_type must be agent or customer');
				if (!['all', 'agents'].includes(body.visibility)) return fail('validation', 'visibility must be all or agents');
				if (body.ignore_requester_presence !== true && !chat.users.some((u) => u.id === requester)) {
					return fail('validation', 'Requester is not present in the chat');
				}
				if (body.user_type === 'customer') {
					if (!this.customers.has(body.user_id)) return fail('not_found', 'Customer not found');
					if (chat.users.some((u) => u.type === 'customer' && u.id !== body.user_id)) {
						return fail('validation', 'Chat already has a customer');
					}
					if (body.visibility !== 'all') return fail('validation', 'customer must be added with visibility all');
				} else if (!this.agents.has(body.user_id) && !this.bots.has(body.user_id)) {
					return fail('not_found', 'Agent not found');
				}
				this.addUser(chat, body.user_id, body.user_type, body.visibility);
				this.emit('user_added_to_chat', {
					chat_id: chat.id,
					thread_id: this.activeThread(chat)!.id,
					user: this.userJson(chat.users.find((u) => u.id === body.user_id)!),
					reason: 'manual',
					requester_id: requester,
				}, chat);
				return ok({});
			}
			case 'send_event': {
				const chat = this.findChatFor(ctx, 'chat_id');
				if ('status' in chat) return chat;
				return this.sendEvent(chat, requester, body.event);
			}
			case 'update_chat_properties': {
				const chat = this.findChatFor(ctx, 'id');
				if ('status' in chat) return chat;
				if (!isObject(body.properties)) return fail('validation', 'properties is required');
				const propertyError = this.validateProperties(body.properties);
				if (propertyError) return fail('validation', propertyError);
				for (const [namespace, values] of Object.entries(body.properties)) {
					chat.properties[namespace] = { ...(chat.properties[namespace] ?? {}), ...(values as Record<string, unknown>) };
				}
				this.emit('chat_properties_updated', { chat_id: chat.id, properties: clone(body.properties) }, chat);
				return ok({});
			}
			case 'upload_file':
				return this.uploadFile(ctx);
			default:
				return fail('validation', `Unknown action ${action}`);
		}
	}

	private customerAction(action: string, ctx: Ctx): Reply {
		const { body } = ctx;
		if (ctx.who.kind !== 'customer') return fail('authentication');
		const customer = ctx.who.customer;
		const mine = (chat: ChatRecord) => chat.users.some((u) => u.id === customer.id);
		switch (action) {
			case 'get_customer':
				return ok(clone(customer));
			case 'update_customer': {
				for (const key of ['name', 'email', 'avatar']) {
					if (body[key] !== undefined) {
						if (typeof body[key] !== 'string') return fail('validation', `${key} must be a string`);
						(customer as unknown as Record<string, unknown>)[key] = body[key];
					}
				}
				if (Array.isArray(body.session_fields)) customer.session_fields = clone(body.session_fields);
				return ok({});
			}
			case 'list_chats': {
				const chats = [...this.chats.values()].filter(mine).sort((a, b) => b.touched - a.touched);
				return ok({ chats_summary: chats.map((c) => this.summaryJson(c)), total_chats: chats.length });
			}
			case 'get_chat': {
				const chat = this.findChatFor(ctx, 'chat_id');
				if ('status' in chat) return chat;
				if (!mine(chat)) return fail('not_found', 'Chat not found');
				const json = this.chatJson(chat);
				const thread = json.thread as Record<string, unknown> | undefined;
				if (thread) thread.events = (thread.events as LiveChatEvent[]).filter((e) => e.visibility === 'all');
				return ok(json);
			}
			case 'start_chat':
				return this.startChat(customer.id, 'customer', body);
			case 'resume_chat':
				return this.resumeChat(customer.id, 'customer', body);
			case 'deactivate_chat': {
				const chat = this.findChatFor(ctx, 'id');
				if ('status' in chat) return chat;
				if (!mine(chat)) return fail('not_found', 'Chat not found');
				return this.deactivateChat(chat, customer.id, true);
			}
			case 'send_event': {
				const chat = this.findChatFor(ctx, 'chat_id');
				if ('status' in chat) return chat;
				if (!mine(chat)) return fail('validation', 'Author is not present in the chat');
				if (isObject(body.event) && body.event.visibility === 'agents') {
					return fail('validation', 'Customers cannot send events with visibility agents');
				}
				if (isObject(body.event) && body.event.type === 'rich_message') {
					return fail('validation', 'Customers cannot send rich messages');
				}
				return this.sendEvent(chat, customer.id, body.event);
			}
			case 'upload_file':
				return this.uploadFile(ctx);
			default:
				return fail('validation', `Unknown action ${action}`);
		}
	}

	private uploadFile(ctx: Ctx): Reply {
		const file = parseMultipartFile(ctx.raw, String(ctx.headers['content-type'] ?? ''));
		if (!file) return fail('validation', 'file is required');
		if (file.data.length > MAX_UPLOAD_BYTES) return fail('entity_too_large');
		if (/\.(exe|bat|cmd|msi|sh)$/i.test(file.name)) return fail('validation', 'Executable files are rejected');
		const url = `${this.baseUrl}/cdn/${lowerId(16)}/${encodeURIComponent(file.name)}`;
		this.files.set(url, { name: file.name, contentType: file.contentType, data: Buffer.from(file.data) });
		return ok({ url });
	}

	private ownedClient(body: any): string | Reply {
		if (typeof body.owner_client_id !== 'string' || body.owner_client_id === '') return fail('validation', 'owner_client_id is required');
		if (!this.clients.has(body.owner_client_id)) {
			return fail('validation', 'owner_client_id must be owned by your organization');
		}
		return body.owner_client_id;
	}

	private configurationAction(action: string, ctx: Ctx): Reply {
		const { body } = ctx;
		switch (action) {
			case 'list_groups':
				return ok(
					[...this.groups.values()]
						.sort((a, b) => a.id - b.id)
						.map((g) => ({
							...g,
							// CHOICE: accepting_chats when one of its agents accepts chats, else offline.
							routing_status: this.agentsInGroup(g.id).some((a) => a.accepting) ? 'accepting_chats' : 'offline',
						})),
				);
			case 'list_agents':
				return ok(
					[...this.agents.values()].map((a) => ({
						id: a.id,
						account_id: a.account_id,
						name: a.name,
						role: a.role,
						login_status: a.accepting ? 'accepting chats' : 'not accepting chats',
						...(Array.isArray(body.fields) && body.fields.includes('groups')
							? { groups: a.group_ids.map((id) => ({ id, priority: 'normal' })) }
							: {}),
					})),
				);
			case 'list_bots':
				return ok([...this.bots.values()].map((b) => ({ id: b.id, name: b.name })));
			case 'register_webhook': {
				const owner = this.ownedClient(body);
				if (typeof owner !== 'string') return owner;
				if (!WEBHOOK_ACTIONS.includes(body.action)) return fail('validation', `action "${String(body.action)}" is not supported`);
				if (typeof body.secret_key !== 'string' || body.secret_key === '') return fail('validation', 'secret_key is required');
				if (typeof body.url !== 'string' || !/^https?:\/\//.test(body.url) || body.url.length > 500) {
					return fail('validation', 'url must be an http(s) URL of up to 500 characters');
				}
				if (!['license', 'bot'].includes(body.type)) return fail('validation', 'type must be license or bot');
				if (body.filters !== undefined && !isObject(body.filters)) return fail('validation', 'filters must be an object');
				if (body.filters?.author_type !== undefined) {
					if (!['customer', 'agent'].includes(body.filters.author_type)) return fail('validation', 'filters.author_type must be customer or agent');
					if (!['incoming_event', 'event_updated'].includes(body.action)) {
						return fail('validation', 'filters.author_type is allowed only for incoming_event and event_updated');
					}
				}
				if (body.additional_data !== undefined) {
					if (!Array.isArray(body.additional_data) || body.additional_data.some((d: unknown) => !['chat_properties', 'chat_presence_user_ids'].includes(d as string))) {
						return fail('validation', 'additional_data values: chat_properties, chat_presence_user_ids');
					}
				}
				if (this.webhooks.filter((w) => w.owner_client_id === owner && w.action === body.action).length >= WEBHOOKS_PER_ACTION) {
					return fail('limit_reached', `Limit of ${WEBHOOKS_PER_ACTION} webhooks for action ${String(body.action)} reached`);
				}
				const webhook: LiveChatWebhook = {
					id: lowerId(),
					action: body.action,
					secret_key: body.secret_key,
					url: body.url,
					type: body.type,
					owner_client_id: owner,
				};
				if (typeof body.description === 'string') webhook.description = body.description;
				if (body.filters) webhook.filters = clone(body.filters);
				if (body.additional_data) webhook.additional_data = [...body.additional_data];
				this.webhooks.push(webhook);
				return ok({ id: webhook.id });
			}
			case 'list_webhooks': {
				const owner = this.ownedClient(body);
				if (typeof owner !== 'string') return owner;
				return ok(
					this.webhooks
						.filter((w) => w.owner_client_id === owner)
						.map(({ secret_key: _secret, ...rest }) => clone(rest)),
				);
			}
			case 'unregister_webhook': {
				const owner = this.ownedClient(body);
				if (typeof owner !== 'string') return owner;
				const index = this.webhooks.findIndex((w) => w.id === body.id && w.owner_client_id === owner);
				if (index === -1) return fail('not_found', 'Webhook not found');
				this.webhooks.splice(index, 1);
				return ok({});
			}
			case 'enable_license_webhooks':
			case 'disable_license_webhooks': {
				const owner = this.ownedClient(body);
				if (typeof owner !== 'string') return owner;
				// UNCONFIRMED: enabling for an app that is not installed answers 200 and changes nothing
				// until it is installed (docs: "use this method only if you disabled the webhooks").
				this.clients.get(owner)!.webhooksDisabled = action === 'disable_license_webhooks';
				return ok({});
			}
			case 'get_license_webhooks_state': {
				const owner = this.ownedClient(body);
				if (typeof owner !== 'string') return owner;
				return ok({ license_webhooks_enabled: this.licenseWebhooksEnabled(owner) });
			}
			case 'register_property': {
				const owner = this.ownedClient(body);
				if (typeof owner !== 'string') return owner;
				if (typeof body.name !== 'string' || body.name === '') return fail('validation', 'name is required');
				if (!['int', 'string', 'bool', 'tokenized_string'].includes(body.type)) {
					return fail('validation', 'type must be int, string, bool or tokenized_string');
				}
				if (!isObject(body.access) || Object.keys(body.access).length === 0) return fail('validation', 'access is required');
				for (const location of Object.keys(body.access)) {
					if (!['chat', 'thread', 'event', 'license', 'group'].includes(location)) return fail('validation', `Unknown location ${location}`);
				}
				const key = this.propertyKey(owner, body.name);
				if (this.properties.has(key)) return fail('already_exists', `Property ${body.name} already exists`);
				this.properties.set(key, {
					name: body.name,
					owner_client_id: owner,
					type: body.type,
					access: clone(body.access),
					description: typeof body.description === 'string' ? body.description : '',
				});
				return ok({});
			}
			case 'publish_property': {
				const owner = this.ownedClient(body);
				if (typeof owner !== 'string') return owner;
				const property = this.properties.get(this.propertyKey(owner, String(body.name)));
				if (!property) return fail('not_found', 'Property not found');
				if (!Array.isArray(body.access_type) || body.access_type.some((a: unknown) => a !== 'read' && a !== 'write')) {
					return fail('validation', 'access_type must be a list of read, write');
				}
				property.public_access = [...body.access_type];
				return ok({});
			}
			case 'list_properties': {
				const owner = this.ownedClient(body);
				if (typeof owner !== 'string') return owner;
				const out: Record<string, unknown> = {};
				for (const property of this.properties.values()) {
					if (property.owner_client_id !== owner) continue;
					out[property.name] = {
						type: property.type,
						description: property.description,
						access: clone(property.access),
						...(property.public_access ? { public_access: [...property.public_access] } : {}),
					};
				}
				return ok(out);
			}
			default:
				return fail('validation', `Unknown action ${action}`);
		}
	}

	// ---------------------------------------------------------------- control API (HTTP)

	private handleControl(method: string, path: string, raw: Buffer, res: http.ServerResponse): void {
		let body: any = {};
		try {
			body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : {};
		} catch (err) {
			sendJson(res, 400, { error: `bad JSON: ${(err as Error).message}` });
			return;
		}
		const parts = path.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
		try {
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
			return ok({
				baseUrl: this.baseUrl,
				accountsUrl: this.accountsUrl,
				organizationId: this.organizationId,
				routes: LiveChatSimulator.controlRoutes,
			});
		}
		if (method === 'POST' && first === 'reset' && parts.length === 1) {
			this.reset();
			return ok({ success: true });
		}
		if (method === 'POST' && first === 'clients' && parts.length === 1) return { status: 201, body: this.createClient(body) };
		if (method === 'POST' && first === 'clients' && third === 'install' && parts.length === 3) {
			this.installApp(second);
			return ok({ success: true });
		}
		if (method === 'POST' && first === 'groups' && parts.length === 1) return { status: 201, body: this.createGroup(body) };
		if (first === 'agents') {
			if (method === 'POST' && parts.length === 1) return { status: 201, body: this.createAgent(body) };
			if (method === 'PATCH' && parts.length === 2) {
				this.setAgentAccepting(second, body.accepting === true);
				return ok({ success: true });
			}
			if (method === 'POST' && third === 'token' && parts.length === 3) {
				return { status: 201, body: { access_token: this.issueAgentToken(second), token_type: 'Bearer' } };
			}
		}
		if (method === 'POST' && first === 'bots' && parts.length === 1) return { status: 201, body: this.createBot(body) };
		if (first === 'customers') {
			if (method === 'POST' && parts.length === 1) return { status: 201, body: this.createCustomer(body) };
			if (method === 'POST' && third === 'start_chat' && parts.length === 3) {
				return { status: 201, body: this.customerStartsChat(second, body) };
			}
		}
		if (first === 'chats') {
			if (method === 'GET' && parts.length === 1) return ok(this.listChats());
			if (second === undefined) return undefined;
			if (!this.chats.has(second)) return { status: 404, body: { error: `unknown chat ${second}` } };
			if (method === 'GET' && parts.length === 2) return ok(this.getChat(second));
			if (method === 'POST' && third === 'agent_says') return { status: 201, body: this.agentSays(second, body.agentId, body) };
			if (method === 'POST' && third === 'customer_says') return { status: 201, body: this.customerSays(second, body.text) };
			if (method === 'POST' && third === 'deactivate') {
				this.deactivate(second, body.agentId);
				return ok({ success: true });
			}
			if (method === 'POST' && third === 'transfer') {
				this.transfer(second, body);
				return ok({ success: true });
			}
		}
		if (method === 'GET' && first === 'webhooks' && parts.length === 1) return ok(this.getWebhooks());
		if (method === 'GET' && first === 'properties' && parts.length === 1) return ok(this.getProperties());
		if (method === 'GET' && first === 'calls' && parts.length === 1) return ok(this.getCalls());
		if (method === 'GET' && first === 'deliveries' && parts.length === 1) return ok(this.getDeliveries());
		if (method === 'POST' && first === 'files' && parts.length === 1) {
			if (typeof body.name !== 'string' || body.name === '') throw new Error('name is required');
			if (typeof body.base64 !== 'string') throw new Error('base64 is required');
			const url = this.storeFile({ name: body.name, contentType: body.content_type, data: Buffer.from(body.base64, 'base64') });
			return { status: 201, body: { url } };
		}
		return undefined;
	}
}

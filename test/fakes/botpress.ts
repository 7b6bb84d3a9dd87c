/**
 * Botpress simulator: Botpress's side of the "Human in the Loop API" integration, as described in
 * /work/shared/reference/botpress-hitl.md ("the sheet") and, where it is silent, in the integration's
 * source (botpress/growth integrations/hitl-api) and the HITL plugin (botpress/botpress plugins/hitl).
 *
 * - It calls an external service's endpoints exactly as Botpress does (`configure` → /ping;
 *   `startHitl` → /createRemoteUser once per user, then /createRemoteConversation with the history;
 *   `userSays` / `botSays` during a handoff → /botSendsMessage; `closeHitl` → /closeRemoteTicket),
 *   POST with a JSON body and no auth header, and checks the answers as Botpress does (2xx, and
 *   `{"id": "<string>"}` for the two create calls).
 * - It serves the integration's webhook: `/message-from-agent`, `/agent-assigned` and `/stop-hitl`
 *   under `/<webhookId>` (`webhookUrl`).
 * - It keeps each conversation as the user sees it: messages in order (user, bot, agent), whether an
 *   agent is assigned, and whether the handoff is active or stopped.
 *
 * Control API (no auth) for tests and people: methods on the class and HTTP routes under
 * `/_control/...` (see `controlRoutes`). Items the sources do not settle are marked `CHOICE:`
 * (our decision) or `UNCONFIRMED:` (a plausible Botpress behaviour nobody could verify).
 */
import * as crypto from 'crypto';
import * as http from 'http';
import { Outbox, clone, close, isObject, listen, readBody, sendJson } from './http';

export interface BotpressSimulatorOptions {
	/** 0 (default) = a random free port. */
	port?: number;
	host?: string;
	/** The integration's webhook ID (default: a random UUID). */
	webhookId?: string;
	/** How long a call to the service may take; Botpress's axios calls set none. CHOICE: 30 s. */
	serviceTimeoutMs?: number;
	/**
	 * Which conversation ID `/closeRemoteTicket` carries. Botpress's HITL plugin calls the
	 * integration's stopHitl with the HITL-channel conversation it created right after
	 * /createRemoteConversation answered ("hitlConversation", default). "userConversation" models a
	 * bot that calls stopHitl itself with the user's conversation ID, the one a bot builder can also
	 * put in the ticket's title or description (the sheet's suggestion).
	 */
	closeWith?: 'hitlConversation' | 'userConversation';
	/**
	 * What the user types to end a handoff (the HITL plugin's userHitlCloseCommand; compared trimmed
	 * and case-insensitively). During a handoff, `userSays` with this text takes the plugin's
	 * close-command path: the cancellation line to the agent, then /closeRemoteTicket. `''` switches
	 * it off. UNCONFIRMED: the plugin's default value (DEFAULT_USER_HITL_CLOSE_COMMAND) is not in the
	 * sources we read; "/end" is our guess.
	 */
	closeCommand?: string;
	/**
	 * Headers added to every call to the service, as a proxy in front of it would (Botpress itself
	 * sends no auth header). Models the Botpress HITL credential's optional shared secret.
	 */
	serviceHeaders?: Record<string, string>;
	/** Texts the HITL plugin shows to the user (its defaults are configurable in Botpress). */
	messages?: Partial<typeof DEFAULT_MESSAGES>;
}

const DEFAULT_MESSAGES = {
	handoff: 'I have escalated this conversation to a human agent. They should be with you shortly.',
	agentAssigned: 'A human agent has joined the conversation.',
	agentStopped: 'The human agent closed the conversation. I will continue assisting you.',
	userClosed: 'You have ended the conversation with the human agent.',
	/**
	 * What the plugin writes to the agent (as the bot, on the HITL channel) when the user ends the
	 * handoff with the close command or the agent-assignment timeout ends it: onUserHitlCancelledMessage,
	 * default DEFAULT_USER_HITL_CANCELLED_MESSAGE of plugins/hitl/plugin.definition.ts.
	 */
	userCancelled: '( The user has ended the session. )',
};

/** The message types the HITL plugin relays from the agent to the user (plugins/hitl consts.ts). */
const SUPPORTED_AGENT_TYPES = ['text', 'image', 'video', 'audio', 'file'];

/** The keys each Botpress message type requires (sdk message defaults). */
const REQUIRED_PAYLOAD_KEYS: Record<string, string[]> = {
	text: ['text'],
	image: ['imageUrl'],
	audio: ['audioUrl'],
	video: ['videoUrl'],
	file: ['fileUrl'],
};

export type ServicePath = 'ping' | 'createRemoteUser' | 'createRemoteConversation' | 'botSendsMessage' | 'closeRemoteTicket';

export interface BotpressUser {
	id: string;
	name: string;
	email?: string;
	pictureUrl?: string;
	/** The ID the service answered to /createRemoteUser (null until the first handoff). */
	remoteUserId: string | null;
}

export interface BotpressVisibleMessage {
	id: string;
	at: string;
	role: 'user' | 'bot' | 'agent';
	/** Botpress message type: text, image, audio, video, file, location, card, choice… */
	type: string;
	payload: Record<string, unknown>;
	/** What the user reads, in one line of text. */
	text: string;
	/** The agent's remoteUserId for agent messages. */
	agentId?: string;
}

export type BotpressHitlState = 'none' | 'active' | 'stopped';

export interface BotpressConversationView {
	id: string;
	userId: string;
	user: BotpressUser;
	messages: BotpressVisibleMessage[];
	hitl: BotpressHitlState;
	/** How the last handoff ended: "agent" (/stop-hitl) or "user" (closeRemoteTicket). */
	endedBy: 'agent' | 'user' | null;
	assigned: boolean;
	assignedAgentId: string | null;
	/** The ID the service answered to /createRemoteConversation for the current (or last) handoff. */
	remoteConversationId: string | null;
	/** The HITL-channel conversation Botpress created for that handoff. */
	hitlConversationId: string | null;
	/** Handoffs started in this conversation. */
	sessions: number;
}

/** One call of the service's endpoints, as Botpress made it. */
export interface BotpressServiceCall {
	at: number;
	path: ServicePath;
	url: string;
	body: Record<string, unknown>;
	status: number | null;
	response: unknown;
	/** Why Botpress treated the call as failed (non-2xx, bad answer, network). */
	error?: string;
}

/** One request to the integration's webhook. */
export interface BotpressWebhookCall {
	at: number;
	method: string;
	path: string;
	headers: http.IncomingHttpHeaders;
	body: unknown;
	status: number;
	/** What became of it: shown, dropped (handoff not active), orphan (unknown conversation)… */
	outcome: string;
}

export class BotpressHitlError extends Error {
	constructor(
		message: string,
		readonly call?: BotpressServiceCall,
	) {
		super(message);
		this.name = 'BotpressHitlError';
	}
}

interface ConversationRecord {
	id: string;
	userId: string;
	messages: BotpressVisibleMessage[];
	hitl: BotpressHitlState;
	endedBy: 'agent' | 'user' | null;
	assigned: boolean;
	assignedAgentId: string | null;
	remoteConversationId: string | null;
	hitlConversationId: string | null;
	sessions: number;
}

interface Reply {
	status: number;
	body?: unknown;
}

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Botpress Cloud IDs: a prefix and 26 upper-case characters (`conv_01J0Q8…`). */
function botpressId(prefix: 'conv' | 'user' | 'msg'): string {
	const bytes = crypto.randomBytes(26);
	let id = '';
	for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
	return `${prefix}_${id}`;
}

/** What the user reads for a Botpress message payload. */
function readable(type: string, payload: Record<string, unknown>): string {
	const s = (key: string) => (typeof payload[key] === 'string' ? (payload[key] as string) : '');
	switch (type) {
		case 'text':
			return s('text');
		case 'markdown':
			return s('markdown');
		case 'image':
			return `[image] ${s('imageUrl')}`;
		case 'audio':
			return `[audio] ${s('audioUrl')}`;
		case 'video':
			return `[video] ${s('videoUrl')}`;
		case 'file':
			return `[file] ${[s('title'), s('fileUrl')].filter(Boolean).join(' ')}`;
		case 'location':
			return `[location] ${payload.latitude}, ${payload.longitude}`;
		default:
			return s('text') || s('title') || `[${type}]`;
	}
}

/** The Botpress message type of a payload the control API receives without one. */
function inferType(payload: Record<string, unknown>): string {
	if (typeof payload.type === 'string') return payload.type;
	if (Array.isArray(payload.items)) return 'carousel';
	if (Array.isArray(payload.options)) return 'choice';
	if (Array.isArray(payload.actions)) return 'card';
	if (payload.latitude !== undefined && payload.longitude !== undefined) return 'location';
	for (const [key, type] of [
		['imageUrl', 'image'],
		['audioUrl', 'audio'],
		['videoUrl', 'video'],
		['fileUrl', 'file'],
		['markdown', 'markdown'],
	]) {
		if (typeof payload[key] === 'string') return type;
	}
	return 'text';
}

export class BotpressSimulator {
	private options: Required<Omit<BotpressSimulatorOptions, 'messages'>> & { messages: typeof DEFAULT_MESSAGES };
	private serviceHeaders: Record<string, string>;
	private server: http.Server | undefined;
	private port = 0;
	private outbox = new Outbox();
	private endpointBaseUrl: string | null = null;
	private users = new Map<string, BotpressUser>();
	private conversations = new Map<string, ConversationRecord>();
	private serviceCalls: BotpressServiceCall[] = [];
	private webhookCalls: BotpressWebhookCall[] = [];
	/** Conversations Botpress's getOrCreateConversation made for unknown remote IDs. */
	private orphans: Array<{ remoteConversationId: string; path: string; body: unknown }> = [];
	/** Files users sent, served under /_media (stands for Botpress's file storage). */
	private media = new Map<string, { contentType: string; data: Buffer }>();

	constructor(options: BotpressSimulatorOptions = {}) {
		this.options = {
			port: options.port ?? 0,
			host: options.host ?? '127.0.0.1',
			webhookId: options.webhookId ?? crypto.randomUUID(),
			serviceTimeoutMs: options.serviceTimeoutMs ?? 30_000,
			closeWith: options.closeWith ?? 'hitlConversation',
			closeCommand: options.closeCommand ?? '/end',
			serviceHeaders: options.serviceHeaders ?? {},
			messages: { ...DEFAULT_MESSAGES, ...(options.messages ?? {}) },
		};
		this.serviceHeaders = { ...this.options.serviceHeaders };
	}

	async start(): Promise<this> {
		this.server = http.createServer((req, res) => {
			this.handle(req, res).catch((err) => {
				sendJson(res, 500, { message: `Simulator error: ${String(err?.message ?? err)}` });
			});
		});
		this.port = await listen(this.server, this.options.port, this.options.host);
		return this;
	}

	async stop(): Promise<void> {
		this.outbox.abortAll();
		if (this.server) await close(this.server);
		this.server = undefined;
	}

	get baseUrl(): string {
		return `http://${this.options.host}:${this.port}`;
	}

	get webhookId(): string {
		return this.options.webhookId;
	}

	/** Stands for https://webhook.botpress.cloud/<webhookId>: what the credential's Webhook URL holds. */
	get webhookUrl(): string {
		return `${this.baseUrl}/${this.options.webhookId}`;
	}

	get controlUrl(): string {
		return `${this.baseUrl}/_control`;
	}

	/** The integration's endpointBaseUrl, once configured. */
	get serviceUrl(): string | null {
		return this.endpointBaseUrl;
	}

	static readonly controlRoutes = [
		'GET    /_control                                     this list, baseUrl, webhookUrl',
		'POST   /_control/reset                               forget conversations and calls',
		'POST   /_control/configure                           {endpointBaseUrl} → /ping (saving fails unless 2xx)',
		'POST   /_control/conversations                       {name, email?, pictureUrl?} → a user and their conversation',
		'GET    /_control/conversations                       every conversation as its user sees it',
		'GET    /_control/conversations/:id                   one conversation (+ transcript)',
		'POST   /_control/conversations/:id/user_says         {text} or {payload}; the close command ends the handoff',
		'POST   /_control/conversations/:id/bot_says          {text} or {payload}',
		'POST   /_control/conversations/:id/start_hitl        {title?, description?, history?} → remote IDs',
		'POST   /_control/conversations/:id/close_hitl        {by?: stopHitl|closeCommand} the handoff ends → /closeRemoteTicket',
		'GET    /_control/service_calls                       calls made to the service',
		'GET    /_control/webhook_calls                       requests received on the webhook',
		'GET    /_control/orphans                             agent calls for unknown conversations',
		'PUT    /_control/service_headers                     {headers} a proxy adds to every call to the service',
		'GET    /_media/...                                   files stored with hostMedia (Botpress\'s file storage)',
	];

	// ---------------------------------------------------------------- control API (methods)

	/** Saves the integration's configuration: Botpress pings the service and fails unless it answers. */
	async configure(endpointBaseUrl: string): Promise<BotpressServiceCall> {
		const base = endpointBaseUrl.replace(/\/+$/, '');
		const call = await this.callService(base, 'ping', { type: 'ping' });
		if (call.error) throw new BotpressHitlError(`Saving the configuration failed: ${call.error}`, clone(call));
		this.endpointBaseUrl = base;
		return clone(call);
	}

	/** A Botpress user and their (bot) conversation. No call: the service hears of them at the first handoff. */
	startConversation(input: { name: string; email?: string; pictureUrl?: string }): BotpressConversationView {
		const user: BotpressUser = { id: botpressId('user'), name: input.name, remoteUserId: null };
		if (input.email) user.email = input.email;
		if (input.pictureUrl) user.pictureUrl = input.pictureUrl;
		this.users.set(user.id, user);
		const conversation: ConversationRecord = {
			id: botpressId('conv'),
			userId: user.id,
			messages: [],
			hitl: 'none',
			endedBy: null,
			assigned: false,
			assignedAgentId: null,
			remoteConversationId: null,
			hitlConversationId: null,
			sessions: 0,
		};
		this.conversations.set(conversation.id, conversation);
		return this.getConversation(conversation.id)!;
	}

	/**
	 * The user writes; during a handoff the message goes to the service (/botSendsMessage). The close
	 * command (`closeCommand`) instead ends the handoff as the plugin does: see `closeHitl`.
	 * Returns the call made (for the close command: the /closeRemoteTicket call).
	 */
	async userSays(conversationId: string, message: string | Record<string, unknown>): Promise<BotpressServiceCall | null> {
		const conversation = this.requireConversation(conversationId);
		const payload = typeof message === 'string' ? { text: message } : clone(message);
		this.show(conversation, 'user', payload);
		if (conversation.hitl !== 'active') return null;
		if (this.isCloseCommand(payload)) return await this.closeHitl(conversationId, { by: 'closeCommand' });
		const user = this.users.get(conversation.userId)!;
		return clone(await this.relay(conversation, user.remoteUserId ?? 'BOT', payload));
	}

	/**
	 * Stores a file as Botpress's file storage would for a user's upload (files.bpcontent.cloud) and
	 * returns its public URL, e.g. for `userSays(id, {imageUrl})`. Served by `GET /_media/...`.
	 */
	hostMedia(input: { name: string; contentType?: string; data: Buffer }): string {
		const path = `/_media/${crypto.randomBytes(8).toString('hex')}/${encodeURIComponent(input.name)}`;
		this.media.set(path, { contentType: input.contentType ?? 'application/octet-stream', data: Buffer.from(input.data) });
		return `${this.baseUrl}${path}`;
	}

	/** Changes the headers a proxy adds to Botpress's calls (see `serviceHeaders`). */
	setServiceHeaders(headers: Record<string, string>): void {
		this.serviceHeaders = { ...headers };
	}

	/**
	 * The bot writes in the conversation; during a handoff the message also goes to the service with
	 * remoteUserId "BOT" (sheet: "each user/bot message on the hitl channel").
	 */
	async botSays(conversationId: string, message: string | Record<string, unknown>): Promise<BotpressServiceCall | null> {
		const conversation = this.requireConversation(conversationId);
		const payload = typeof message === 'string' ? { text: message } : clone(message);
		this.show(conversation, 'bot', payload);
		if (conversation.hitl !== 'active') return null;
		return clone(await this.relay(conversation, 'BOT', payload));
	}

	/**
	 * The bot escalates (the "Start HITL" card): createRemoteUser the first time for this user, then
	 * createRemoteConversation with the history; Botpress then creates the HITL-channel conversation
	 * tagged with the answered ID. Throws like Botpress when an answer is not 2xx or its id not a string.
	 */
	async startHitl(
		conversationId: string,
		input: { title?: string; description?: string; history?: boolean } = {},
	): Promise<{ remoteUserId: string; remoteConversationId: string; hitlConversationId: string }> {
		const conversation = this.requireConversation(conversationId);
		const base = this.requireService();
		const user = this.users.get(conversation.userId)!;
		if (conversation.hitl === 'active') {
			// The plugin: "if (await upstreamCm.isHitlActive()) return {}".
			return {
				remoteUserId: user.remoteUserId!,
				remoteConversationId: conversation.remoteConversationId!,
				hitlConversationId: conversation.hitlConversationId!,
			};
		}
		if (user.remoteUserId === null) {
			const payload: Record<string, unknown> = { role: 'end-user', name: user.name };
			if (user.email) payload.email = user.email;
			if (user.pictureUrl) payload.pictureUrl = user.pictureUrl;
			const call = await this.callService(base, 'createRemoteUser', { type: 'createRemoteUser', payload });
			user.remoteUserId = this.answeredId(call);
		}
		const payload: Record<string, unknown> = {};
		if (input.title !== undefined) payload.title = input.title;
		if (input.description !== undefined) payload.description = input.description;
		if (input.history !== false) {
			payload.messages = conversation.messages.map((message) => ({
				text: message.text,
				author: message.role,
				timestamp: message.at,
			}));
		}
		const call = await this.callService(base, 'createRemoteConversation', { type: 'createRemoteConversation', payload });
		const remoteConversationId = this.answeredId(call);
		conversation.remoteConversationId = remoteConversationId;
		conversation.hitlConversationId = botpressId('conv');
		conversation.hitl = 'active';
		conversation.endedBy = null;
		conversation.assigned = false;
		conversation.assignedAgentId = null;
		conversation.sessions += 1;
		this.show(conversation, 'bot', { text: this.options.messages.handoff });
		return { remoteUserId: user.remoteUserId!, remoteConversationId, hitlConversationId: conversation.hitlConversationId };
	}

	/**
	 * The user (or the bot flow) ends the handoff: stopHitl → /closeRemoteTicket.
	 *
	 * `by: 'closeCommand'` is the plugin's close-command path (before-incoming-message, the user typed
	 * `closeCommand`; the agent-assignment timeout does the same): it first writes the cancellation
	 * line (`messages.userCancelled`) to the agent as the bot, which the integration relays with
	 * /botSendsMessage and remoteUserId "BOT", and only then calls stopHitl. `by: 'stopHitl'`
	 * (default) is the bot flow calling stopHitl: no line to the agent. `closeWith` overrides the
	 * simulator's option for this close.
	 */
	async closeHitl(
		conversationId: string,
		opts: { by?: 'stopHitl' | 'closeCommand'; closeWith?: BotpressSimulatorOptions['closeWith'] } = {},
	): Promise<BotpressServiceCall> {
		const conversation = this.requireConversation(conversationId);
		const base = this.requireService();
		if (conversation.hitl !== 'active') throw new BotpressHitlError(`conversation ${conversationId} has no active handoff`);
		const closeWith = opts.closeWith ?? this.options.closeWith;
		const botpressConversationId = closeWith === 'userConversation' ? conversation.id : conversation.hitlConversationId!;
		if (opts.by === 'closeCommand') {
			// CHOICE: the line is on the HITL channel only; the user does not see it.
			await this.relay(conversation, 'BOT', { text: this.options.messages.userCancelled });
		}
		conversation.hitl = 'stopped';
		conversation.endedBy = 'user';
		this.show(conversation, 'bot', { text: this.options.messages.userClosed });
		return clone(
			await this.callService(base, 'closeRemoteTicket', {
				type: 'closeRemoteTicket',
				payload: { botpressConversationId },
			}),
		);
	}

	getConversation(conversationId: string): BotpressConversationView | undefined {
		const conversation = this.conversations.get(conversationId);
		if (!conversation) return undefined;
		return clone({ ...conversation, user: this.users.get(conversation.userId)! });
	}

	listConversations(): BotpressConversationView[] {
		return [...this.conversations.keys()].map((id) => this.getConversation(id)!);
	}

	/** The conversation as its user reads it: one line per message, oldest first. */
	transcript(conversationId: string): string[] {
		const conversation = this.requireConversation(conversationId);
		return conversation.messages.map((message) => `${message.role}: ${message.text}`);
	}

	/** The conversation whose current (or last) handoff has this remote ID. */
	findByRemoteId(remoteConversationId: string): BotpressConversationView | undefined {
		const found = [...this.conversations.values()].find((c) => c.remoteConversationId === remoteConversationId);
		return found ? this.getConversation(found.id) : undefined;
	}

	getServiceCalls(): BotpressServiceCall[] {
		return clone(this.serviceCalls);
	}

	getWebhookCalls(): BotpressWebhookCall[] {
		return clone(this.webhookCalls);
	}

	getOrphans(): Array<{ remoteConversationId: string; path: string; body: unknown }> {
		return clone(this.orphans);
	}

	reset(): void {
		this.outbox.abortAll();
		this.endpointBaseUrl = null;
		this.users.clear();
		this.conversations.clear();
		this.serviceCalls = [];
		this.webhookCalls = [];
		this.orphans = [];
		this.media.clear();
	}

	// ---------------------------------------------------------------- internals: Botpress → service

	private requireConversation(id: string): ConversationRecord {
		const conversation = this.conversations.get(id);
		if (!conversation) throw new BotpressHitlError(`unknown conversation ${id}`);
		return conversation;
	}

	private requireService(): string {
		if (!this.endpointBaseUrl) throw new BotpressHitlError('the integration is not configured: call configure(endpointBaseUrl) first');
		return this.endpointBaseUrl;
	}

	private show(conversation: ConversationRecord, role: BotpressVisibleMessage['role'], payload: Record<string, unknown>, agentId?: string): BotpressVisibleMessage {
		const type = inferType(payload);
		const { type: _type, ...content } = payload;
		const message: BotpressVisibleMessage = {
			id: botpressId('msg'),
			at: new Date().toISOString(),
			role,
			type,
			payload: content,
			text: readable(type, content),
		};
		if (agentId !== undefined) message.agentId = agentId;
		conversation.messages.push(message);
		return message;
	}

	/** plugins/hitl before-incoming-message `_isHitlCloseCommand`: the text, trimmed, case-insensitive. */
	private isCloseCommand(payload: Record<string, unknown>): boolean {
		const command = this.options.closeCommand.trim().toLowerCase();
		return command !== '' && typeof payload.text === 'string' && payload.text.trim().toLowerCase() === command;
	}

	/** The integration's channel handler: `botSendsMessage(endpointBaseUrl, tags.externalId, userId | "BOT", payload)`. */
	private async relay(conversation: ConversationRecord, remoteUserId: string, payload: Record<string, unknown>): Promise<BotpressServiceCall> {
		const { type: _type, ...content } = payload;
		return await this.callService(this.requireService(), 'botSendsMessage', {
			type: 'botSendsMessage',
			remoteConversationId: conversation.remoteConversationId!,
			remoteUserId,
			payload: content,
		});
	}

	/** `CreateRemote…Response.parse(response.data)`: `{id: string}` or Botpress fails the action. */
	private answeredId(call: BotpressServiceCall): string {
		if (call.error) throw new BotpressHitlError(`${call.path} failed: ${call.error}`, clone(call));
		const body = call.response;
		if (!isObject(body) || typeof body.id !== 'string') {
			call.error = `${call.path} answered ${JSON.stringify(body)}: expected {"id": "<string>"}`;
			throw new BotpressHitlError(call.error, clone(call));
		}
		return body.id;
	}

	/**
	 * axios.post(url, body): JSON, no auth header; any 2xx is a success (CHOICE: the sheet says 200).
	 * Returns the recorded call itself (callers clone it before handing it out).
	 */
	private async callService(base: string, path: ServicePath, body: Record<string, unknown>): Promise<BotpressServiceCall> {
		const url = `${base}/${path}`;
		const call: BotpressServiceCall = { at: Date.now(), path, url, body: clone(body), status: null, response: undefined };
		this.serviceCalls.push(call);
		try {
			const result = await this.outbox.request(url, {
				method: 'POST',
				headers: { 'User-Agent': 'axios/1.7.7', Accept: 'application/json, text/plain, */*', ...this.serviceHeaders },
				body,
				timeoutMs: this.options.serviceTimeoutMs,
			});
			call.status = result.status;
			call.response = result.body;
			if (result.status < 200 || result.status > 299) call.error = `Request failed with status code ${result.status}`;
		} catch (err) {
			call.error = String((err as Error)?.message ?? err);
		}
		return call;
	}

	// ---------------------------------------------------------------- internals: service → Botpress (webhook)

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://localhost');
		const method = (req.method ?? 'GET').toUpperCase();
		const raw = await readBody(req);
		const path = url.pathname;
		if (path === '/_control' || path.startsWith('/_control/')) {
			await this.handleControl(method, path, raw, res);
			return;
		}
		if (method === 'GET' && path.startsWith('/_media/')) {
			const file = this.media.get(path);
			if (!file) {
				sendJson(res, 404, { message: 'File not found' });
				return;
			}
			res.writeHead(200, { 'Content-Type': file.contentType, 'Content-Length': file.data.length });
			res.end(file.data);
			return;
		}
		const [webhookId, ...rest] = path.split('/').filter(Boolean);
		if (webhookId !== this.options.webhookId) {
			// UNCONFIRMED: webhook.botpress.cloud answers an unknown webhook ID with 404.
			sendJson(res, 404, { message: 'Webhook not found', code: 404, type: 'ResourceNotFound' });
			return;
		}
		const route = `/${rest.join('/')}`;
		const reply = this.webhook(method, route, raw, req.headers);
		sendJson(res, reply.status, reply.body);
	}

	private webhook(method: string, route: string, raw: string, headers: http.IncomingHttpHeaders): Reply {
		const record = (status: number, outcome: string, body: unknown): Reply => {
			this.webhookCalls.push({ at: Date.now(), method, path: route, headers, body, status, outcome });
			return { status, body: status >= 400 ? { message: outcome } : undefined };
		};
		// The integration's handler: `if (!req.body) { warn('empty body'); return }`, before any routing.
		if (raw === '') return record(200, 'ignored: empty body', undefined);
		let body: unknown;
		try {
			body = JSON.parse(raw);
		} catch {
			// UNCONFIRMED: a handler that throws (JSON.parse here) is answered 500.
			return record(500, 'Invalid JSON body', raw);
		}
		const routes: Record<string, (body: Record<string, unknown>) => [number, string]> = {
			'/message-from-agent': (b) => this.messageFromAgent(b),
			'/agent-assigned': (b) => this.agentAssigned(b),
			'/stop-hitl': (b) => this.stopHitlFromAgent(b),
		};
		const handler = method === 'POST' ? routes[route] : undefined;
		// UNCONFIRMED: "throw new Error('Route not found')" is answered 500.
		if (!handler) return record(500, 'Route not found', body);
		if (!isObject(body)) return record(400, 'body must be a JSON object', body);
		const [status, outcome] = handler(body);
		return record(status, outcome, body);
	}

	/**
	 * CHOICE: the integration does not validate bodies; Botpress's API then rejects what it cannot
	 * store. The simulator answers 400 with the first problem, against the integration's zod schemas.
	 */
	private missingString(body: Record<string, unknown>, keys: string[]): string | undefined {
		return keys.find((key) => typeof body[key] !== 'string' || body[key] === '');
	}

	/** getOrCreateConversation({tags: {externalId}}): an unknown ID silently makes a new conversation. */
	private byRemoteId(remoteConversationId: string, route: string, body: unknown): ConversationRecord | undefined {
		const found = [...this.conversations.values()].find((c) => c.remoteConversationId === remoteConversationId);
		if (!found) this.orphans.push({ remoteConversationId, path: route, body: clone(body) });
		return found;
	}

	private messageFromAgent(body: Record<string, unknown>): [number, string] {
		const missing = this.missingString(body, ['remoteConversationId', 'remoteUserId', 'messageType']);
		if (missing) return [400, `${missing} must be a non-empty string`];
		if (!isObject(body.payload)) return [400, 'payload must be an object'];
		const type = body.messageType as string;
		const payload = body.payload as Record<string, unknown>;
		const required = REQUIRED_PAYLOAD_KEYS[type];
		if (required) {
			const absent = required.find((key) => typeof payload[key] !== 'string' || payload[key] === '');
			if (absent) return [400, `payload.${absent} must be a non-empty string (messageType ${type})`];
		}
		const conversation = this.byRemoteId(body.remoteConversationId as string, '/message-from-agent', body);
		if (!conversation) return [200, 'orphan: unknown remoteConversationId'];
		// The plugin: "we don't want the bot to chat with the human agent in a closed ticket".
		if (conversation.hitl !== 'active') return [200, 'dropped: handoff not active'];
		// The plugin answers unsupported types with a notice to the agent, and shows nothing.
		if (!SUPPORTED_AGENT_TYPES.includes(type)) return [200, `dropped: unsupported message type ${type}`];
		const agentId = body.remoteUserId as string;
		// The plugin treats the first agent message as the assignment when none came.
		if (!conversation.assigned) {
			conversation.assigned = true;
			conversation.assignedAgentId = agentId;
		}
		this.show(conversation, 'agent', { ...payload, type }, agentId);
		return [200, 'shown'];
	}

	private agentAssigned(body: Record<string, unknown>): [number, string] {
		const missing = this.missingString(body, ['remoteConversationId', 'remoteUserId']);
		if (missing) return [400, `${missing} must be a non-empty string`];
		const conversation = this.byRemoteId(body.remoteConversationId as string, '/agent-assigned', body);
		if (!conversation) return [200, 'orphan: unknown remoteConversationId'];
		if (conversation.hitl !== 'active') return [200, 'dropped: handoff not active'];
		const wasAssigned = conversation.assigned;
		conversation.assigned = true;
		conversation.assignedAgentId = body.remoteUserId as string;
		if (!wasAssigned) this.show(conversation, 'bot', { text: this.options.messages.agentAssigned });
		return [200, 'assigned'];
	}

	private stopHitlFromAgent(body: Record<string, unknown>): [number, string] {
		const missing = this.missingString(body, ['remoteConversationId']);
		if (missing) return [400, `${missing} must be a non-empty string`];
		const conversation = this.byRemoteId(body.remoteConversationId as string, '/stop-hitl', body);
		if (!conversation) return [200, 'orphan: unknown remoteConversationId'];
		if (conversation.hitl !== 'active') return [200, 'ignored: handoff not active'];
		conversation.hitl = 'stopped';
		conversation.endedBy = 'agent';
		// hitlStopped does not call the integration's stopHitl: no /closeRemoteTicket follows.
		this.show(conversation, 'bot', { text: this.options.messages.agentStopped });
		return [200, 'stopped'];
	}

	// ---------------------------------------------------------------- internals: control routes

	private async handleControl(method: string, path: string, raw: string, res: http.ServerResponse): Promise<void> {
		let body: Record<string, any> = {};
		if (raw.trim() !== '') {
			try {
				body = JSON.parse(raw);
			} catch {
				sendJson(res, 400, { error: 'invalid JSON' });
				return;
			}
		}
		const parts = path.split('/').filter(Boolean).slice(1);
		try {
			const reply = await this.control(method, parts, body);
			if (reply === undefined) sendJson(res, 404, { error: `no control route ${method} ${path}` });
			else sendJson(res, reply.status, reply.body);
		} catch (err) {
			const call = err instanceof BotpressHitlError ? err.call : undefined;
			sendJson(res, err instanceof BotpressHitlError ? 409 : 400, { error: String((err as Error)?.message ?? err), call });
		}
	}

	private async control(method: string, parts: string[], body: Record<string, any>): Promise<Reply | undefined> {
		const [first, second, third] = parts;
		const ok = (value: unknown, status = 200): Reply => ({ status, body: value });
		if (method === 'GET' && parts.length === 0) {
			return ok({
				baseUrl: this.baseUrl,
				webhookUrl: this.webhookUrl,
				endpointBaseUrl: this.endpointBaseUrl,
				routes: BotpressSimulator.controlRoutes,
			});
		}
		if (method === 'POST' && first === 'reset' && parts.length === 1) {
			this.reset();
			return ok({ success: true });
		}
		if (method === 'POST' && first === 'configure' && parts.length === 1) {
			return ok(await this.configure(String(body.endpointBaseUrl ?? '')));
		}
		if (method === 'GET' && parts.length === 1 && first === 'service_calls') return ok(this.getServiceCalls());
		if (method === 'GET' && parts.length === 1 && first === 'webhook_calls') return ok(this.getWebhookCalls());
		if (method === 'GET' && parts.length === 1 && first === 'orphans') return ok(this.getOrphans());
		if (method === 'PUT' && parts.length === 1 && first === 'service_headers') {
			const headers = isObject(body.headers) ? body.headers : {};
			this.setServiceHeaders(Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)])));
			return ok({ headers: this.serviceHeaders });
		}
		if (first !== 'conversations') return undefined;
		if (parts.length === 1) {
			if (method === 'GET') return ok(this.listConversations());
			if (method === 'POST') return ok(this.startConversation(body as { name: string }), 201);
			return undefined;
		}
		if (!this.conversations.has(second)) return { status: 404, body: { error: `unknown conversation ${second}` } };
		const message = body.payload ?? body.text;
		if (method === 'GET' && parts.length === 2) return ok({ ...this.getConversation(second), transcript: this.transcript(second) });
		if (method === 'POST' && third === 'user_says') return ok({ call: await this.userSays(second, message) });
		if (method === 'POST' && third === 'bot_says') return ok({ call: await this.botSays(second, message) });
		if (method === 'POST' && third === 'start_hitl') return ok(await this.startHitl(second, body));
		if (method === 'POST' && third === 'close_hitl') {
			return ok(await this.closeHitl(second, { by: body.by === 'closeCommand' ? 'closeCommand' : 'stopHitl' }));
		}
		return undefined;
	}
}

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

import { clone, close, isObject, listen, sendJson } from '../http';
import { BotpressHitlError, DEFAULT_MESSAGES, botpressId } from './common';
import type {
	BotpressConversationView,
	BotpressServiceCall,
	BotpressSimulatorOptions,
	BotpressUser,
	BotpressWebhookCall,
	ConversationRecord,
	Reply,
} from './common';
import { BotpressWebhook } from './webhook';

export class BotpressSimulator extends BotpressWebhook {
	constructor(options: BotpressSimulatorOptions = {}) {
		super();
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

	// ---------------------------------------------------------------- internals: control routes

	protected async handleControl(method: string, path: string, raw: string, res: http.ServerResponse): Promise<void> {
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

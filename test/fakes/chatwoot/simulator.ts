/**
 * Chatwoot simulator: the Application API (`/api/v1/…`, `api_access_token` of a user or an agent
 * bot), the client API of API-channel inboxes (`/public/api/v1/inboxes/…`) and the webhooks
 * (account webhooks, the API inbox's webhook_url, the agent bot's outgoing_url), as
 * docs/platforms/chatwoot.md describes them from the project's Chatwoot fact sheet and, where it is
 * silent, from chatwoot/chatwoot's source (app/listeners/webhook_listener.rb, agent_bot_listener.rb,
 * lib/webhooks/trigger.rb, app/jobs/agent_bots/webhook_job.rb, app/models/conversation.rb and
 * message.rb, app/finders/message_finder.rb, the controllers under api/v1/accounts). Nothing is
 * copied from it. Behaviour we had to choose is marked CHOICE, what no source confirms UNCONFIRMED.
 *
 * Control API (no auth): methods on the class and HTTP routes under `/_control/...`.
 */
import * as http from 'http';

import { clone, close, listen, parseJsonBody, sendJson, waitFor } from '../http';
import type { FaultInjection } from '../http';
import { NOT_FOUND, defaultWorkingHours, ok, secureToken } from './common';
import type {
	ChatwootApiCall,
	ChatwootDeliveryAttempt,
	ChatwootSimulatorOptions,
	ConversationRecord,
	ConversationStatus,
	InboxRecord,
	MessageRecord,
	Reply,
	UploadedFile,
	UserRecord,
	WorkingHourRecord,
} from './common';
import { ChatwootPublicApi } from './publicApi';

export interface ChatwootUserView {
	id: number;
	name: string;
	email: string;
	role: 'administrator' | 'agent';
	/** The user's `api_access_token` (Profile settings → Access token). */
	accessToken: string;
}

export interface ChatwootSeed {
	accountId: number;
	/** An administrator; `userToken` is theirs. */
	admin: ChatwootUserView;
	agents: ChatwootUserView[];
	userToken: string;
	team: { id: number; name: string };
	apiInbox: { id: number; name: string; identifier: string; webhookUrl: string | null; secret: string; hmacToken: string };
	webInbox: { id: number; name: string };
	bot: { id: number; name: string; accessToken: string; secret: string; outgoingUrl: string } | null;
}

export interface CustomerWritesInput {
	/** Default: the first API inbox of the account. */
	inboxId?: number;
	/** An existing contact inbox (the client API's contact id); else a new contact is made. */
	sourceId?: string;
	name?: string;
	email?: string;
	identifier?: string;
	/** Write in this conversation; else in the contact's latest one that is not resolved, or a new one. */
	conversationId?: number;
	content?: string;
	files?: UploadedFile[];
}

export class ChatwootSimulator extends ChatwootPublicApi {
	constructor(options: ChatwootSimulatorOptions = {}) {
		super();
		this.options = this.resolveOptions(options);
		this.registerApplicationRoutes();
		this.registerPublicRoutes();
	}

	async start(options: ChatwootSimulatorOptions = {}): Promise<this> {
		if (Object.keys(options).length > 0) this.options = this.resolveOptions({ ...this.options, ...options });
		this.stopped = false;
		this.server = http.createServer((req, res) => {
			this.handle(req, res).catch((err) => {
				sendJson(res, 500, { error: `Simulator error: ${String(err?.message ?? err)}` });
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

	get controlUrl(): string {
		return `${this.baseUrl}/_control`;
	}

	/** Change a running simulator (version, limits, timeScale, faults). */
	configure(options: Partial<ChatwootSimulatorOptions>): void {
		this.options = this.resolveOptions({ ...this.options, ...options, port: this.options.port, host: this.options.host });
	}

	get version(): string {
		return this.options.version;
	}

	static readonly controlRoutes = [
		'GET    /_control                                   this list',
		'POST   /_control/reset                             forget everything',
		'POST   /_control/seed                              {webhookUrl?, botUrl?} → account, tokens, inboxes, bot',
		'POST   /_control/customer_says                     {inboxId?, sourceId?, name?, conversationId?, content}',
		'PATCH  /_control/agents/:userId                    {availability: online|offline|busy}',
		'PUT    /_control/inboxes/:inboxId/members          {userIds}',
		'PUT    /_control/inboxes/:inboxId/working_hours    {enabled, timezone?, schedule?: [{day_of_week, closed_all_day, open_hour, …}]}',
		'POST   /_control/conversations/:id/agent_says      {agentId, content, private?, accountId?}',
		'POST   /_control/conversations/:id/status          {status, agentId?, accountId?}',
		'GET    /_control/conversations/:id                 the conversation (Application API view)',
		'GET    /_control/conversations/:id/messages        all its messages',
		'GET    /_control/calls                             recorded API calls',
		'GET    /_control/deliveries                        webhook delivery attempts',
	];

	// ---------------------------------------------------------------- set-up

	createAccount(input: { name: string; keepPendingOnBotFailure?: boolean }): { id: number; name: string } {
		const account = { id: this.nextId('accounts'), name: input.name, keepPendingOnBotFailure: input.keepPendingOnBotFailure ?? false };
		this.accounts.set(account.id, account);
		return { id: account.id, name: account.name };
	}

	/** Account setting `keep_pending_on_bot_failure`. */
	setKeepPendingOnBotFailure(accountId: number, keep: boolean): void {
		this.requireAccount(accountId).keepPendingOnBotFailure = keep;
	}

	createUser(accountId: number, input: { name: string; email: string; role?: 'administrator' | 'agent'; accessToken?: string }): ChatwootUserView {
		this.requireAccount(accountId);
		const user: UserRecord = {
			id: this.nextId('users'),
			name: input.name,
			email: input.email.toLowerCase(),
			roles: new Map([[accountId, input.role ?? 'agent']]),
			accessToken: input.accessToken ?? secureToken(),
			availability: 'online',
		};
		this.users.set(user.id, user);
		return this.userView(user, accountId);
	}

	createTeam(accountId: number, input: { name: string; description?: string; memberIds?: number[] }): { id: number; name: string } {
		this.requireAccount(accountId);
		const team = {
			id: this.nextId('teams'),
			accountId,
			name: input.name,
			description: input.description ?? '',
			allowAutoAssign: true,
			memberIds: [...(input.memberIds ?? [])],
			createdAt: Date.now(),
		};
		this.teams.set(team.id, team);
		return { id: team.id, name: team.name };
	}

	/**
	 * The agent's `availability_status` as the agents list shows it (AvailabilityStatusable: `offline`
	 * without an online presence, else the status they chose). CHOICE: presence is not simulated.
	 */
	setAgentAvailability(userId: number, availability: UserRecord['availability']): void {
		const user = this.users.get(userId);
		if (!user) throw new Error(`unknown user ${userId}`);
		if (!['online', 'offline', 'busy'].includes(availability)) throw new Error(`unknown availability ${availability}`);
		user.availability = availability;
	}

	/** The agents who see the inbox (inbox_members). */
	setInboxMembers(inboxId: number, userIds: number[]): void {
		const inbox = this.inboxes.get(inboxId);
		if (!inbox) throw new Error(`unknown inbox ${inboxId}`);
		inbox.memberIds = [...userIds];
	}

	/** The inbox's business hours (Settings › Inboxes › Business Hours): on or off, zone, weekly schedule. */
	setInboxWorkingHours(inboxId: number, input: { enabled: boolean; timezone?: string; schedule?: WorkingHourRecord[] }): void {
		const inbox = this.inboxes.get(inboxId);
		if (!inbox) throw new Error(`unknown inbox ${inboxId}`);
		inbox.workingHours = {
			enabled: input.enabled,
			timezone: input.timezone ?? inbox.workingHours?.timezone ?? 'UTC',
			schedule: (input.schedule ?? inbox.workingHours?.schedule ?? defaultWorkingHours()).map((wh) => ({ ...wh })),
		};
	}

	createApiInbox(accountId: number, input: { name: string; webhookUrl?: string; hmacMandatory?: boolean }): ChatwootSeed['apiInbox'] {
		this.requireAccount(accountId);
		const inbox = this.createInboxRecord(accountId, { ...input, channelType: 'Channel::Api' });
		return this.apiInboxView(inbox);
	}

	createWebInbox(accountId: number, input: { name: string }): { id: number; name: string } {
		this.requireAccount(accountId);
		const inbox = this.createInboxRecord(accountId, { name: input.name, channelType: 'Channel::WebWidget' });
		return { id: inbox.id, name: inbox.name };
	}

	createAgentBot(accountId: number, input: { name: string; outgoingUrl?: string; description?: string }): NonNullable<ChatwootSeed['bot']> {
		this.requireAccount(accountId);
		const bot = this.createAgentBotRecord(accountId, input);
		return { id: bot.id, name: bot.name, accessToken: bot.accessToken, secret: bot.secret, outgoingUrl: bot.outgoingUrl };
	}

	/** Inbox settings → Bot configuration (what `set_agent_bot` does); null disconnects. */
	connectAgentBot(inboxId: number, botId: number | null): void {
		const inbox = this.requireInbox(inboxId);
		inbox.agentBotId = botId;
	}

	setInboxWebhookUrl(inboxId: number, url: string | null): void {
		this.requireInbox(inboxId).webhookUrl = url ?? undefined;
	}

	/**
	 * A ready account: an administrator (its token is `userToken`), two agents, a team, an API inbox
	 * (webhook_url = `webhookUrl`), a web inbox, and an agent bot (outgoing_url = `botUrl`) connected
	 * to the API inbox when `botUrl` is given.
	 */
	seedAccount(input: { name?: string; webhookUrl?: string; botUrl?: string; connectBot?: boolean } = {}): ChatwootSeed {
		const account = this.createAccount({ name: input.name ?? 'Acme Support' });
		const admin = this.createUser(account.id, { name: 'Ada Admin', email: 'ada@example.com', role: 'administrator' });
		const agents = [
			this.createUser(account.id, { name: 'Alice Agent', email: 'alice@example.com' }),
			this.createUser(account.id, { name: 'Bob Agent', email: 'bob@example.com' }),
		];
		const team = this.createTeam(account.id, { name: 'Support', memberIds: agents.map((a) => a.id) });
		const apiInbox = this.createApiInbox(account.id, { name: 'Bot channel', webhookUrl: input.webhookUrl });
		const webInbox = this.createWebInbox(account.id, { name: 'Website' });
		let bot: ChatwootSeed['bot'] = null;
		if (input.botUrl !== undefined) {
			bot = this.createAgentBot(account.id, { name: 'Handoff bot', outgoingUrl: input.botUrl });
			if (input.connectBot !== false) this.connectAgentBot(apiInbox.id, bot.id);
		}
		return { accountId: account.id, admin, agents, userToken: admin.accessToken, team, apiInbox, webInbox, bot };
	}

	// ---------------------------------------------------------------- scenario helpers

	/**
	 * The customer writes, as through the client API (API inbox) or the widget (web inbox): the
	 * contact and its conversation are made when needed; an incoming message; its webhooks.
	 */
	customerWrites(accountId: number, input: CustomerWritesInput): { sourceId: string; contactId: number; conversationId: number; messageId: number } {
		const inbox = input.inboxId
			? this.requireInbox(input.inboxId)
			: [...this.inboxes.values()].find((i) => i.accountId === accountId && i.channelType === 'Channel::Api');
		if (!inbox || inbox.accountId !== accountId) throw new Error(`no such inbox in account ${accountId}`);
		let ci = input.sourceId ? [...this.contactInboxes.values()].find((x) => x.inboxId === inbox.id && x.sourceId === input.sourceId) : undefined;
		if (input.sourceId && !ci) throw new Error(`unknown source id ${input.sourceId}`);
		if (!ci) {
			const existing = input.identifier
				? [...this.contacts.values()].find((c) => c.accountId === accountId && c.identifier === input.identifier)
				: undefined;
			const contact =
				existing ?? this.createContactRecord(accountId, { name: input.name, email: input.email ?? null, identifier: input.identifier ?? null });
			ci = this.contactInboxFor(contact, inbox);
		}
		const contactInbox = ci;
		let c: ConversationRecord | undefined;
		if (input.conversationId !== undefined) {
			c = this.conversationByDisplayId(accountId, input.conversationId);
			if (!c || c.contactInboxId !== contactInbox.id) throw new Error(`conversation ${input.conversationId} is not this contact's`);
		} else {
			// CHOICE: the widget continues the latest conversation that is not resolved (lock_to_single_conversation off).
			c = [...this.conversations.values()]
				.filter((x) => x.contactInboxId === contactInbox.id && x.status !== 'resolved')
				.sort((a, b) => b.id - a.id)[0];
			c ??= this.createConversationRecord(contactInbox, {});
		}
		const m = this.addMessage(c, {
			messageType: 'incoming',
			content: input.content ?? null,
			sender: { type: 'Contact', id: contactInbox.contactId },
			files: input.files,
		});
		return { sourceId: contactInbox.sourceId, contactId: contactInbox.contactId, conversationId: c.displayId, messageId: m.id };
	}

	/** A human agent writes from the dashboard: outgoing (or a private note) as that user. */
	agentReplies(
		conversationId: number,
		agentId: number,
		content: string,
		options: { private?: boolean; files?: UploadedFile[]; accountId?: number } = {},
	): Record<string, unknown> {
		const c = this.requireConversation(conversationId, options.accountId);
		const user = this.users.get(agentId);
		if (!user || !user.roles.has(c.accountId)) throw new Error(`user ${agentId} is not an agent of account ${c.accountId}`);
		const m = this.addMessage(c, {
			messageType: 'outgoing',
			content,
			private: options.private ?? false,
			sender: { type: 'User', id: user.id },
			files: options.files,
		});
		return this.messageJson(m);
	}

	/** An agent (or nobody: the system) sets the status: `open` takes it from the bot, `pending` hands it back. */
	setStatus(conversationId: number, status: ConversationStatus, options: { agentId?: number; accountId?: number; snoozedUntilMs?: number } = {}): boolean {
		const c = this.requireConversation(conversationId, options.accountId);
		const actor = options.agentId !== undefined ? (this.users.get(options.agentId)?.name ?? null) : null;
		return this.changeStatus(c, status, actor, options.snoozedUntilMs);
	}

	resolve(conversationId: number, options: { agentId?: number; accountId?: number } = {}): boolean {
		return this.setStatus(conversationId, 'resolved', options);
	}

	assign(conversationId: number, agentId: number | null, options: { byAgentId?: number; accountId?: number } = {}): void {
		const c = this.requireConversation(conversationId, options.accountId);
		const by = options.byAgentId !== undefined ? this.users.get(options.byAgentId)?.name : undefined;
		this.assignAgent(c, agentId, by ?? 'System');
	}

	assignToTeam(conversationId: number, teamId: number | null, options: { byAgentId?: number; accountId?: number } = {}): void {
		const c = this.requireConversation(conversationId, options.accountId);
		const by = options.byAgentId !== undefined ? this.users.get(options.byAgentId)?.name : undefined;
		this.assignTeam(c, teamId, by ?? 'System');
	}

	/** The conversation as the Application API shows it. */
	getConversation(conversationId: number, accountId?: number): Record<string, any> | undefined {
		const c = this.findConversation(conversationId, accountId);
		return c ? this.conversationJson(c) : undefined;
	}

	/** Every message of the conversation (notes and activity included), oldest first, as the Application API shows them. */
	getMessages(conversationId: number, accountId?: number): Array<Record<string, any>> {
		const c = this.findConversation(conversationId, accountId);
		return c ? this.messagesOf(c).map((m) => this.messageJson(m)) : [];
	}

	getCalls(): ChatwootApiCall[] {
		return clone(this.calls);
	}

	getDeliveries(): ChatwootDeliveryAttempt[] {
		return clone(this.attempts);
	}

	/** Reliability tests: from now on refuse this share of API calls (see FaultInjection); `{rate: 0}` stops. */
	setFaults(faults: FaultInjection): void {
		this.options.faults = faults;
	}

	/** Every token and secret this simulator holds (users, bots, webhooks, inboxes), for leak checks. */
	secrets(): string[] {
		return [
			...[...this.users.values()].map((u) => u.accessToken),
			...[...this.agentBots.values()].flatMap((b) => [b.accessToken, b.secret]),
			...[...this.webhooks.values()].map((w) => w.secret),
			...[...this.inboxes.values()].flatMap((i) => [i.secret, i.hmacToken].filter((s): s is string => !!s)),
		];
	}

	/** Webhooks of the account, with their secrets (as the 4.11.2+ answer shows them). */
	listWebhooks(accountId?: number): Array<Record<string, unknown>> {
		return [...this.webhooks.values()].filter((w) => accountId === undefined || w.accountId === accountId).map((w) => ({ ...this.webhookJson(w), secret: w.secret }));
	}

	/** Resolves when no webhook delivery (or retry) is pending. */
	async idle(timeoutMs = 10000): Promise<void> {
		await waitFor(() => this.pendingDeliveries === 0, timeoutMs);
	}

	reset(): void {
		this.timers.clearAll();
		this.outbox.abortAll();
		this.pendingDeliveries = 0;
		for (const map of [
			this.accounts,
			this.users,
			this.teams,
			this.inboxes,
			this.agentBots,
			this.contacts,
			this.contactInboxes,
			this.conversations,
			this.messages,
			this.attachments,
			this.webhooks,
			this.throttles,
		] as Array<Map<unknown, unknown>>) {
			map.clear();
		}
		this.calls = [];
		this.attempts = [];
		this.resetSequences();
	}

	// ---------------------------------------------------------------- internals

	private requireAccount(accountId: number) {
		const account = this.accounts.get(accountId);
		if (!account) throw new Error(`unknown account ${accountId}`);
		return account;
	}

	private requireInbox(inboxId: number): InboxRecord {
		const inbox = this.inboxes.get(inboxId);
		if (!inbox) throw new Error(`unknown inbox ${inboxId}`);
		return inbox;
	}

	private findConversation(conversationId: number, accountId?: number): ConversationRecord | undefined {
		const account = accountId ?? [...this.accounts.keys()][0];
		return account === undefined ? undefined : this.conversationByDisplayId(account, conversationId);
	}

	private requireConversation(conversationId: number, accountId?: number): ConversationRecord {
		const c = this.findConversation(conversationId, accountId);
		if (!c) throw new Error(`unknown conversation ${conversationId}`);
		return c;
	}

	private userView(u: UserRecord, accountId: number): ChatwootUserView {
		return { id: u.id, name: u.name, email: u.email, role: u.roles.get(accountId)!, accessToken: u.accessToken };
	}

	private apiInboxView(inbox: InboxRecord): ChatwootSeed['apiInbox'] {
		return {
			id: inbox.id,
			name: inbox.name,
			identifier: inbox.identifier!,
			webhookUrl: inbox.webhookUrl ?? null,
			secret: inbox.secret!,
			hmacToken: inbox.hmacToken!,
		};
	}

	/** Messages as stored, for tests that look at statuses (e.g. `failed` after a refused API-inbox delivery). */
	protected storedMessage(id: number): MessageRecord | undefined {
		return this.messages.get(id);
	}

	// ---------------------------------------------------------------- control API (HTTP)

	protected async handleControl(method: string, path: string, rawBody: string, res: http.ServerResponse): Promise<void> {
		let body: any;
		try {
			body = parseJsonBody(rawBody) ?? {};
		} catch (err) {
			sendJson(res, 400, { error: `bad JSON: ${(err as Error).message}` });
			return;
		}
		const parts = path.split('/').filter(Boolean).slice(1);
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
		const accountId = typeof body.accountId === 'number' ? body.accountId : [...this.accounts.keys()][0];
		if (method === 'GET' && parts.length === 0) return ok({ baseUrl: this.baseUrl, routes: ChatwootSimulator.controlRoutes });
		if (method === 'POST' && first === 'reset' && parts.length === 1) {
			this.reset();
			return ok({ success: true });
		}
		if (method === 'POST' && first === 'seed' && parts.length === 1) return ok(this.seedAccount(body));
		if (method === 'POST' && first === 'customer_says' && parts.length === 1) return ok(this.customerWrites(accountId, body));
		if (first === 'conversations' && second !== undefined) {
			const id = Number(second);
			if (!this.findConversation(id, accountId)) return NOT_FOUND;
			if (method === 'GET' && parts.length === 2) return ok(this.getConversation(id, accountId));
			if (method === 'GET' && third === 'messages') return ok(this.getMessages(id, accountId));
			if (method === 'POST' && third === 'agent_says') {
				return ok(this.agentReplies(id, Number(body.agentId), String(body.content ?? ''), { private: body.private === true, accountId }));
			}
			if (method === 'POST' && third === 'status') {
				return ok({ changed: this.setStatus(id, body.status, { agentId: body.agentId, accountId }), conversation: this.getConversation(id, accountId) });
			}
		}
		if (method === 'PATCH' && first === 'agents' && parts.length === 2) {
			this.setAgentAvailability(Number(second), body.availability);
			return ok({ success: true });
		}
		if (method === 'PUT' && first === 'inboxes' && third === 'members' && parts.length === 3) {
			this.setInboxMembers(Number(second), Array.isArray(body.userIds) ? body.userIds.map(Number) : []);
			return ok({ success: true });
		}
		if (method === 'PUT' && first === 'inboxes' && third === 'working_hours' && parts.length === 3) {
			this.setInboxWorkingHours(Number(second), { enabled: body.enabled === true, timezone: body.timezone, schedule: body.schedule });
			return ok({ success: true });
		}
		if (method === 'GET' && first === 'calls' && parts.length === 1) return ok(this.getCalls());
		if (method === 'GET' && first === 'deliveries' && parts.length === 1) return ok(this.getDeliveries());
		return undefined;
	}
}

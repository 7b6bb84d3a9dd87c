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

import { clone, close, listen, sendJson, waitFor } from '../http';
import { MAX_UPLOAD_BYTES, hex32, lastOf, lowerId, nowStamp, ok } from './common';
import type {
	ClientRecord,
	LiveChatAgent,
	LiveChatRoutingStatus,
	LiveChatApiCall,
	LiveChatBot,
	LiveChatCustomer,
	LiveChatDeliveryAttempt,
	LiveChatEvent,
	LiveChatGroup,
	LiveChatSimulatorOptions,
	LiveChatWebhook,
	PropertyRecord,
	Reply,
} from './common';
import { LiveChatServer } from './server';

export class LiveChatSimulator extends LiveChatServer {
	constructor(options: LiveChatSimulatorOptions = {}) {
		super();
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
		'PATCH  /_control/agents/:id                      {accepting} or {routingStatus: accepting_chats|not_accepting_chats|offline}',
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
		const basic = Buffer.from(`${accountId}:${pat}`).toString('base64');
		this.issuedSecrets.add(pat).add(basic);
		return { agent: { ...agent }, accountId, pat, basic };
	}

	setAgentAccepting(agentId: string, accepting: boolean): void {
		const agent = this.agents.get(agentId);
		if (!agent) throw new Error(`unknown agent ${agentId}`);
		agent.accepting = accepting;
		agent.offline = false;
	}

	/** The agent's routing status (list_routing_statuses); only `accepting_chats` gets chats routed. */
	setAgentRoutingStatus(agentId: string, status: LiveChatRoutingStatus): void {
		const agent = this.agents.get(agentId);
		if (!agent) throw new Error(`unknown agent ${agentId}`);
		if (!['accepting_chats', 'not_accepting_chats', 'offline'].includes(status)) throw new Error(`unknown routing status ${status}`);
		agent.accepting = status === 'accepting_chats';
		agent.offline = status === 'offline';
	}

	/** A Bearer access token for the agent, as an OAuth flow would give. */
	issueAgentToken(agentId: string): string {
		if (!this.agents.has(agentId)) throw new Error(`unknown agent ${agentId}`);
		const token = `dal:${crypto.randomBytes(18).toString('base64url')}`;
		this.agentTokens.set(token, agentId);
		this.issuedSecrets.add(token);
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
	/**
	 * Every secret this simulator issued or was given: personal access tokens (also as the Basic
	 * credential they make), agent and customer access tokens, the `__lc_cst` cookie of each customer
	 * identity, the secret_key of every webhook ever registered. For leak checks.
	 */
	secrets(): string[] {
		return [...this.issuedSecrets];
	}

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

	// ---------------------------------------------------------------- control API (HTTP)

	protected handleControl(method: string, path: string, raw: Buffer, res: http.ServerResponse): void {
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
				if (typeof body.routingStatus === 'string') this.setAgentRoutingStatus(second, body.routingStatus);
				else this.setAgentAccepting(second, body.accepting === true);
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

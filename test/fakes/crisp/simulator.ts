/**
 * Crisp simulator: the REST API v1 (`/v1/…`, `Authorization: Basic base64(identifier:key)` and
 * `X-Crisp-Tier: plugin|website`) and the Web Hooks (plugin hooks, signed; website hooks, unsigned),
 * as docs/platforms/crisp.md describes them from the project's Crisp fact sheet
 * (crisp-im/node-crisp-api, docs.crisp.chat references/rest-api/v1 and references/web-hooks/v1).
 * Nothing is copied from them. Behaviour we had to choose is marked CHOICE, what no source confirms
 * UNCONFIRMED.
 *
 * Hooks have no public API: `setPluginHook` / `addWebsiteHook` (or the control routes) play the
 * Marketplace and the workspace settings. Control API (no auth): methods and `/_control/...`.
 */
import * as http from 'http';
import * as crypto from 'crypto';

import { clone, close, injectedFault, isObject, listen, parseJsonBody, queryOf, readRaw, sendJson, waitFor } from '../http';
import type { FaultInjection } from '../http';
import { CrispDirectory } from './directory';
import { HOOK_EVENTS, NOT_FOUND, fail } from './state';
import type {
	ConversationRecord,
	CrispApiCall,
	CrispDeliveryAttempt,
	CrispSimulatorOptions,
	MessageRecord,
	MessageType,
	OperatorRecord,
	Reply,
	SessionState,
	TokenRecord,
	WebsiteRecord,
} from './state';

export interface CrispToken {
	identifier: string;
	key: string;
	tier: 'plugin' | 'website';
}

export interface CrispSeed {
	websiteId: string;
	pluginId: string;
	/** The plugin's token (installed on the website) and its hook secret. */
	pluginToken: CrispToken;
	pluginSecret: string;
	/** A website token of the same workspace. */
	websiteToken: CrispToken;
	operators: Array<{ userId: string; email: string; nickname: string }>;
	inboxes: Array<{ inboxId: string; name: string }>;
}

export class CrispSimulator extends CrispDirectory {
	constructor(options: CrispSimulatorOptions = {}) {
		super();
		this.options = this.resolveOptions(options);
		this.registerConversationRoutes();
		this.registerDirectoryRoutes();
	}

	async start(): Promise<this> {
		this.stopped = false;
		this.server = http.createServer((req, res) => {
			this.handle(req, res).catch((err) => sendJson(res, 500, { error: true, reason: 'error', data: { message: String(err?.message ?? err) } }));
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

	configure(options: Partial<CrispSimulatorOptions>): void {
		this.options = this.resolveOptions({ ...this.options, ...options, port: this.options.port, host: this.options.host });
	}

	static readonly controlRoutes = [
		'GET    /_control                                    this list',
		'POST   /_control/reset                              forget everything',
		'POST   /_control/seed                               {pluginHookUrl?, websiteHookUrl?} → website, tokens, secret, operators, inboxes',
		'PUT    /_control/plugin_hook                        {pluginId?, url, events?}   (Marketplace → plugin → Web Hooks)',
		'POST   /_control/website_hooks                      {websiteId?, url, events?}  (Workspace settings → Web Hooks)',
		'POST   /_control/visitor_says                       {websiteId?, sessionId?, nickname?, email?, content}',
		'POST   /_control/conversations/:sid/operator_says   {userId, content, type?}',
		'PATCH  /_control/operators/:userId                  {websiteId?, availability: online|away|offline}',
		'POST   /_control/conversations/:sid/state           {state, userId?}',
		'GET    /_control/conversations/:sid                 the conversation and its messages',
		'GET    /_control/calls                              recorded API calls',
		'GET    /_control/deliveries                         hook delivery attempts',
	];

	// ---------------------------------------------------------------- set-up

	createWebsite(input: { name?: string; domain?: string; websiteId?: string } = {}): { websiteId: string } {
		const website: WebsiteRecord = {
			websiteId: input.websiteId ?? crypto.randomUUID(),
			name: input.name ?? 'Acme',
			domain: input.domain ?? 'acme.example.com',
			operators: [],
			inboxes: [],
			hooks: [],
		};
		this.websites.set(website.websiteId, website);
		return { websiteId: website.websiteId };
	}

	addOperator(websiteId: string, input: { email: string; firstName: string; lastName?: string; role?: 'owner' | 'member' }): { userId: string; email: string; nickname: string } {
		const o: OperatorRecord = {
			userId: crypto.randomUUID(),
			email: input.email.toLowerCase(),
			firstName: input.firstName,
			lastName: input.lastName ?? '',
			role: input.role ?? 'member',
			availability: 'online',
		};
		this.requireWebsite(websiteId).operators.push(o);
		return { userId: o.userId, email: o.email, nickname: `${o.firstName} ${o.lastName}`.trim() };
	}

	/** An operator's availability in the app (`details.availability` of the operators list). */
	setOperatorAvailability(websiteId: string, userId: string, availability: OperatorRecord['availability']): void {
		if (!['online', 'away', 'offline'].includes(availability)) throw new Error(`unknown availability ${availability}`);
		this.requireOperator(websiteId, userId).availability = availability;
	}

	addInbox(websiteId: string, input: { name: string; operators?: string[] }): { inboxId: string; name: string } {
		const w = this.requireWebsite(websiteId);
		const inbox = { inboxId: crypto.randomUUID(), name: input.name, emoji: null, operators: input.operators ?? [], order: w.inboxes.length, createdAt: Date.now() };
		w.inboxes.push(inbox);
		return { inboxId: inbox.inboxId, name: inbox.name };
	}

	/** Marketplace → new plugin: its production token and its Web Hooks secret. */
	createPlugin(input: { name?: string } = {}): { pluginId: string; token: CrispToken; secret: string } {
		const pluginId = crypto.randomUUID();
		const secret = crypto.randomBytes(32).toString('hex');
		this.plugins.set(pluginId, { pluginId, name: input.name ?? 'Handoff relay', installs: new Set(), hookUrl: null, hookEvents: [...HOOK_EVENTS], secret });
		const token = this.addToken({ tier: 'plugin', pluginId });
		return { pluginId, token, secret };
	}

	installPlugin(pluginId: string, websiteId: string): void {
		this.requireWebsite(websiteId);
		this.requirePlugin(pluginId).installs.add(websiteId);
	}

	uninstallPlugin(pluginId: string, websiteId: string): void {
		this.requirePlugin(pluginId).installs.delete(websiteId);
	}

	/** Workspace settings → Advanced configuration → API token (tier `website`). */
	createWebsiteToken(websiteId: string): CrispToken {
		this.requireWebsite(websiteId);
		return this.addToken({ tier: 'website', websiteId });
	}

	/** Marketplace → plugin settings → Web Hooks: the URL (null removes it) and the events (default all). */
	setPluginHook(pluginId: string, url: string | null, events: string[] = HOOK_EVENTS): void {
		const p = this.requirePlugin(pluginId);
		p.hookUrl = url;
		p.hookEvents = [...events];
	}

	/** Workspace settings → Web Hooks: one more unsigned hook. */
	addWebsiteHook(websiteId: string, url: string, events: string[] = HOOK_EVENTS): { hookId: string } {
		const hook = { hookId: crypto.randomUUID(), url, events: [...events] };
		this.requireWebsite(websiteId).hooks.push(hook);
		return { hookId: hook.hookId };
	}

	removeWebsiteHooks(websiteId: string): void {
		this.requireWebsite(websiteId).hooks = [];
	}

	/** A website with two operators, an inbox, the plugin installed (hook at `pluginHookUrl`), a website token and maybe a website hook. */
	seedWebsite(input: { pluginHookUrl?: string; websiteHookUrl?: string; name?: string } = {}): CrispSeed {
		const { websiteId } = this.createWebsite({ name: input.name });
		const operators = [
			this.addOperator(websiteId, { email: 'ada@example.com', firstName: 'Ada', lastName: 'Owner', role: 'owner' }),
			this.addOperator(websiteId, { email: 'alice@example.com', firstName: 'Alice', lastName: 'Agent' }),
		];
		const inboxes = [this.addInbox(websiteId, { name: 'Support', operators: operators.map((o) => o.userId) })];
		const plugin = this.createPlugin();
		this.installPlugin(plugin.pluginId, websiteId);
		if (input.pluginHookUrl) this.setPluginHook(plugin.pluginId, input.pluginHookUrl);
		if (input.websiteHookUrl) this.addWebsiteHook(websiteId, input.websiteHookUrl);
		return {
			websiteId,
			pluginId: plugin.pluginId,
			pluginToken: plugin.token,
			pluginSecret: plugin.secret,
			websiteToken: this.createWebsiteToken(websiteId),
			operators,
			inboxes,
		};
	}

	// ---------------------------------------------------------------- scenario helpers

	/** The visitor writes from the chatbox: a new conversation unless `sessionId` is given; `message:send`. */
	visitorWrites(websiteId: string, input: { sessionId?: string; nickname?: string; email?: string; content: string }): { sessionId: string; fingerprint: number } {
		const website = this.requireWebsite(websiteId);
		let c: ConversationRecord;
		if (input.sessionId) c = this.requireConversation(input.sessionId);
		else {
			c = this.createConversation(website);
			if (input.nickname) c.meta.nickname = input.nickname;
			if (input.email) c.meta.email = input.email;
		}
		const m = this.addMessage(c, { type: 'text', from: 'user', origin: 'chat', content: input.content, user: { user_id: c.sessionId, nickname: c.meta.nickname } });
		return { sessionId: c.sessionId, fingerprint: m.fingerprint };
	}

	/** An operator writes in the app (a reply, or a private `note`): `message:received`. */
	operatorReplies(sessionId: string, userId: string, content: string, options: { type?: MessageType } = {}): { fingerprint: number } {
		const c = this.requireConversation(sessionId);
		const o = this.requireOperator(c.websiteId, userId);
		const m = this.addMessage(c, {
			type: options.type ?? 'text',
			from: 'operator',
			origin: 'chat',
			content,
			user: { user_id: o.userId, nickname: `${o.firstName} ${o.lastName}`.trim() },
		});
		return { fingerprint: m.fingerprint };
	}

	/** An operator opens (or leaves) the conversation in the app: `session:set_opened|closed {operator}`. */
	operatorOpens(sessionId: string, userId: string, opened = true): void {
		const c = this.requireConversation(sessionId);
		const o = this.requireOperator(c.websiteId, userId);
		if (opened) c.openedBy.add(userId);
		else c.openedBy.delete(userId);
		this.emit(c.websiteId, opened ? 'session:set_opened' : 'session:set_closed', {
			website_id: c.websiteId,
			session_id: c.sessionId,
			operator: { user_id: o.userId, nickname: `${o.firstName} ${o.lastName}`.trim() },
		});
	}

	setConversationState(sessionId: string, state: SessionState): void {
		this.setState(this.requireConversation(sessionId), state);
	}

	resolve(sessionId: string): void {
		this.setConversationState(sessionId, 'resolved');
	}

	assign(sessionId: string, userId: string | null): void {
		const c = this.requireConversation(sessionId);
		if (userId !== null) this.requireOperator(c.websiteId, userId);
		this.setRouting(c, userId);
	}

	editMessage(sessionId: string, fingerprint: number, content: unknown): void {
		this.updateMessage(this.requireMessage(sessionId, fingerprint), content);
	}

	deleteMessage(sessionId: string, fingerprint: number): void {
		this.removeMessage(this.requireMessage(sessionId, fingerprint));
	}

	getConversation(sessionId: string): Record<string, any> | undefined {
		const c = this.conversations.get(sessionId);
		return c ? this.conversationJson(c) : undefined;
	}

	/** Every message, oldest first, as the API shows them. */
	getMessages(sessionId: string): Array<Record<string, any>> {
		return (this.messages.get(sessionId) ?? []).map((m) => this.messageJson(m));
	}

	/** Conversations of a website, newest first. */
	listSessions(websiteId: string): string[] {
		return [...this.conversations.values()].filter((c) => c.websiteId === websiteId).sort((a, b) => b.createdAt - a.createdAt).map((c) => c.sessionId);
	}

	getCalls(): CrispApiCall[] {
		return clone(this.calls);
	}

	getDeliveries(): CrispDeliveryAttempt[] {
		return clone(this.attempts);
	}

	setFaults(faults: FaultInjection): void {
		this.options.faults = faults;
	}

	/** Every token key and hook secret, for leak checks. */
	secrets(): string[] {
		return [...[...this.tokens.values()].map((t) => t.key), ...[...this.plugins.values()].map((p) => p.secret)];
	}

	async idle(timeoutMs = 10000): Promise<void> {
		await waitFor(() => this.pendingDeliveries === 0, timeoutMs);
	}

	reset(): void {
		this.timers.clearAll();
		this.outbox.abortAll();
		this.pendingDeliveries = 0;
		for (const map of [this.tokens, this.plugins, this.websites, this.conversations, this.messages, this.people, this.counters] as Array<Map<unknown, unknown>>) map.clear();
		this.calls = [];
		this.attempts = [];
	}

	// ---------------------------------------------------------------- HTTP

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://localhost');
		const raw = (await readRaw(req)).toString('utf8');
		const method = (req.method ?? 'GET').toUpperCase();
		const path = url.pathname;
		if (path === '/_control' || path.startsWith('/_control/')) return this.handleControl(method, path, raw, res);

		const query = queryOf(url);
		let body: unknown;
		let badJson = false;
		try {
			body = raw.trim() === '' ? {} : JSON.parse(raw);
		} catch {
			badJson = true;
			body = raw;
		}
		const call: CrispApiCall = { at: Date.now(), method, path, query, headers: req.headers, body };
		this.calls.push(call);
		const reply = this.reply(method, path, query, req.headers, badJson ? undefined : body, call);
		call.status = reply.status;
		if (method === 'HEAD') {
			res.writeHead(reply.status, reply.headers);
			res.end();
			return;
		}
		sendJson(res, reply.status, reply.body, reply.headers);
	}

	private reply(method: string, path: string, query: Record<string, string>, headers: http.IncomingHttpHeaders, body: unknown, call: CrispApiCall): Reply {
		const fault = injectedFault(this.options.faults);
		if (fault !== undefined) {
			call.injected = true;
			return fail(fault, 'injected_failure');
		}
		const match = this.router.match(method, path);
		// UNCONFIRMED: Crisp's answer for an unknown route / method.
		if (match === undefined) return NOT_FOUND;
		if (match === 'method') return fail(405, 'method_not_allowed');

		const token = this.tokenOf(headers);
		if (!token) return fail(401, 'unauthorized', 'missing or invalid Authorization');
		call.caller = `${token.tier}:${token.identifier}`;
		// The tier header must name the token's tier (node-crisp-api sends it with every call).
		if (String(headers['x-crisp-tier'] ?? '') !== token.tier) return fail(401, 'unauthorized', 'X-Crisp-Tier does not match the token');
		const limited = this.limit(token);
		if (limited) return limited;
		if (body === undefined) return fail(400, 'invalid_data', 'the body is not JSON');
		if (!isObject(body) && method !== 'GET' && method !== 'HEAD') return fail(400, 'invalid_data', 'the body must be an object');

		const route = match.handler;
		const ctx = { params: match.params, query, body: isObject(body) ? body : {}, token } as Parameters<typeof route.handler>[0];
		if (route.access === 'plugin') {
			if (token.tier !== 'plugin') return fail(403, 'not_allowed', 'plugin tier only');
			return route.handler(ctx);
		}
		const website = this.websites.get(match.params.website_id);
		// A plugin reaches only websites that installed it; a website token only its own.
		const allowed =
			!!website &&
			(token.tier === 'plugin' ? !!this.plugins.get(token.pluginId!)?.installs.has(website.websiteId) : token.websiteId === website.websiteId);
		if (!allowed) return fail(403, 'not_allowed', 'this token may not reach this website');
		ctx.website = website;
		return route.handler(ctx);
	}

	private tokenOf(headers: http.IncomingHttpHeaders): TokenRecord | undefined {
		const m = /^Basic\s+(\S+)$/i.exec(String(headers.authorization ?? ''));
		if (!m) return undefined;
		const decoded = Buffer.from(m[1], 'base64').toString('utf8');
		const colon = decoded.indexOf(':');
		if (colon < 0) return undefined;
		const t = this.tokens.get(decoded.slice(0, colon));
		return t && t.key === decoded.slice(colon + 1) ? t : undefined;
	}

	/** Daily quota per token (documented figures) and the optional per-minute limit: 429. */
	private limit(token: TokenRecord): Reply | undefined {
		const count = (key: string): number => {
			const n = (this.counters.get(key) ?? 0) + 1;
			this.counters.set(key, n);
			return n;
		};
		const day = Math.floor(Date.now() / 86400000);
		const quota = token.tier === 'plugin' ? this.options.pluginDailyQuota : this.options.websiteDailyQuota;
		// UNCONFIRMED: the reason words.
		if (quota > 0 && count(`day:${day}:${token.identifier}`) > quota) return fail(429, 'quota_limit_exceeded');
		const minute = Math.floor(Date.now() / 60000);
		if (this.options.rateLimitPerMinute > 0 && count(`min:${minute}:${token.identifier}`) > this.options.rateLimitPerMinute) return fail(429, 'rate_limited');
		return undefined;
	}

	// ---------------------------------------------------------------- control API

	private async handleControl(method: string, path: string, rawBody: string, res: http.ServerResponse): Promise<void> {
		let body: any;
		try {
			body = parseJsonBody(rawBody) ?? {};
		} catch (err) {
			sendJson(res, 400, { error: `bad JSON: ${(err as Error).message}` });
			return;
		}
		try {
			const result = this.control(method, path.split('/').filter(Boolean).slice(1), body);
			if (result === undefined) sendJson(res, 404, { error: `no control route ${method} ${path}` });
			else sendJson(res, result.status, result.body);
		} catch (err) {
			sendJson(res, 400, { error: String((err as Error)?.message ?? err) });
		}
	}

	private control(method: string, parts: string[], body: any): Reply | undefined {
		const [first, second, third] = parts;
		const websiteId: string | undefined = typeof body.websiteId === 'string' ? body.websiteId : [...this.websites.keys()][0];
		const plain = (data: unknown): Reply => ({ status: 200, body: data });
		if (method === 'GET' && parts.length === 0) return plain({ baseUrl: this.baseUrl, routes: CrispSimulator.controlRoutes });
		if (method === 'POST' && first === 'reset' && parts.length === 1) {
			this.reset();
			return plain({ success: true });
		}
		if (method === 'POST' && first === 'seed' && parts.length === 1) return plain(this.seedWebsite(body));
		if (method === 'PUT' && first === 'plugin_hook' && parts.length === 1) {
			const pluginId = typeof body.pluginId === 'string' ? body.pluginId : [...this.plugins.keys()][0];
			this.setPluginHook(pluginId, body.url ?? null, body.events);
			return plain({ pluginId, url: body.url ?? null });
		}
		if (method === 'POST' && first === 'website_hooks' && parts.length === 1) return plain(this.addWebsiteHook(websiteId!, String(body.url), body.events));
		if (method === 'POST' && first === 'visitor_says' && parts.length === 1) return plain(this.visitorWrites(websiteId!, body));
		if (method === 'PATCH' && first === 'operators' && parts.length === 2) {
			this.setOperatorAvailability(websiteId!, second, body.availability);
			return plain({ success: true });
		}
		if (first === 'conversations' && second !== undefined) {
			if (!this.conversations.has(second)) return { status: 404, body: { error: 'no such conversation' } };
			if (method === 'GET' && parts.length === 2) return plain({ conversation: this.getConversation(second), messages: this.getMessages(second) });
			if (method === 'POST' && third === 'operator_says') return plain(this.operatorReplies(second, String(body.userId), String(body.content ?? ''), { type: body.type }));
			if (method === 'POST' && third === 'state') {
				this.setConversationState(second, body.state);
				return plain(this.getConversation(second));
			}
		}
		if (method === 'GET' && first === 'calls' && parts.length === 1) return plain(this.getCalls());
		if (method === 'GET' && first === 'deliveries' && parts.length === 1) return plain(this.getDeliveries());
		return undefined;
	}

	// ---------------------------------------------------------------- internals

	private addToken(input: Omit<TokenRecord, 'identifier' | 'key'>): CrispToken {
		const t: TokenRecord = { identifier: crypto.randomUUID(), key: crypto.randomBytes(32).toString('hex'), ...input };
		this.tokens.set(t.identifier, t);
		return { identifier: t.identifier, key: t.key, tier: t.tier };
	}

	private requireWebsite(websiteId: string): WebsiteRecord {
		const w = this.websites.get(websiteId);
		if (!w) throw new Error(`unknown website ${websiteId}`);
		return w;
	}

	private requirePlugin(pluginId: string) {
		const p = this.plugins.get(pluginId);
		if (!p) throw new Error(`unknown plugin ${pluginId}`);
		return p;
	}

	private requireConversation(sessionId: string): ConversationRecord {
		const c = this.conversations.get(sessionId);
		if (!c) throw new Error(`unknown conversation ${sessionId}`);
		return c;
	}

	private requireOperator(websiteId: string, userId: string): OperatorRecord {
		const o = this.requireWebsite(websiteId).operators.find((x) => x.userId === userId);
		if (!o) throw new Error(`user ${userId} is not an operator of website ${websiteId}`);
		return o;
	}

	private requireMessage(sessionId: string, fingerprint: number): MessageRecord {
		const m = (this.messages.get(sessionId) ?? []).find((x) => x.fingerprint === fingerprint);
		if (!m) throw new Error(`unknown message ${fingerprint}`);
		return m;
	}
}

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

import { clone, close, isObject, listen, parseJsonBody, sendJson, waitFor } from '../http';
import type { FaultInjection } from '../http';
import { LandbotChannelsApi } from './channelsApi';
import { CHANNEL_TYPES, FIELD_NAME, coerceField, inferFieldType, ok } from './common';
import type {
	BotSaysInput,
	CreateCustomerInput,
	CustomerRecord,
	CustomerSaysInput,
	LandbotAgent,
	LandbotApiCall,
	LandbotChannel,
	LandbotChannelType,
	LandbotCustomerState,
	LandbotDeliveryAttempt,
	LandbotField,
	LandbotFieldType,
	LandbotHook,
	LandbotMessage,
	LandbotSimulatorOptions,
	Reply,
	WebhookBlockCall,
	WebhookBlockInput,
} from './common';

export class LandbotSimulator extends LandbotChannelsApi {
	constructor(options: LandbotSimulatorOptions = {}) {
		super();
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

	/**
	 * Every secret this simulator knows or was given: the agents' API tokens and the token of every
	 * MessageHook ever created. For leak checks: none may show up in n8n's execution data or log.
	 */
	secrets(): string[] {
		return [...new Set([...Object.keys(this.options.tokens), ...this.hookTokens])];
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

	private registerRoutes(): void {
		this.registerCustomerRoutes();
		this.registerCustomerFieldRoutes();
		this.registerChannelRoutes();
		this.registerHookRoutes();
		this.registerAgentRoutes();
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

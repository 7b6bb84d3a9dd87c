import * as http from 'http';
import * as crypto from 'crypto';

import { Outbox, Router, Timers, clone, isObject } from '../http';
import { DEFAULT_TOKENS, HOOK_CUSTOMER_CORE_KEYS, landbotDatetime } from './common';
import type {
	ApiContext,
	CustomerRecord,
	CustomerSaysInput,
	Delivery,
	LandbotAgent,
	LandbotApiCall,
	LandbotAuthorType,
	LandbotChannel,
	LandbotDeliveryAttempt,
	LandbotHook,
	LandbotMessage,
	LandbotSimulatorOptions,
	Reply,
	WebhookBlockCall,
} from './common';

/**
 * What the simulated Landbot account holds (agents, channels, customers and their messages,
 * MessageHooks) and the views its API answers with. The bottom layer of LandbotSimulator: each file
 * above adds one part (conversations.ts → server.ts → customersApi.ts → channelsApi.ts →
 * simulator.ts) and sees what the layers below it keep.
 */
export abstract class LandbotState {
	/** Set by the constructor (simulator.ts). */
	protected options!: Required<Omit<LandbotSimulatorOptions, 'agents' | 'botLaunchMessage'>> & {
		botLaunchMessage: false | ((botId: number, node: string | null) => string);
	};
	protected server: http.Server | undefined;
	protected port = 0;
	protected router = new Router<(ctx: ApiContext) => Reply>();
	protected timers = new Timers();
	protected outbox = new Outbox();
	protected stopped = false;

	protected agents = new Map<number, LandbotAgent>();
	protected agentByToken = new Map<string, LandbotAgent>();
	protected channels = new Map<number, LandbotChannel>();
	protected hooks = new Map<number, LandbotHook>();
	/** The token of every MessageHook ever created, deleted ones included (see secrets()). */
	protected hookTokens = new Set<string>();
	protected customers = new Map<number, CustomerRecord>();
	protected rateWindows = new Map<string, number[]>();
	protected queues = new Map<string, { items: Delivery[]; running: boolean }>();
	protected calls: LandbotApiCall[] = [];
	protected attempts: LandbotDeliveryAttempt[] = [];
	protected webhookBlockCalls: WebhookBlockCall[] = [];
	/** Files the customer uploaded (see `hostMedia`), by URL path. */
	protected media = new Map<string, { name: string; contentType: string; data: Buffer }>();
	private nextIds = { channel: 0, customer: 0, hook: 0 };
	private lastTimestamp = 0;
	protected agentSeed: LandbotSimulatorOptions['agents'];

	// ---------------------------------------------------------------- internals: state

	protected resolveOptions(options: LandbotSimulatorOptions): LandbotState['options'] {
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

	protected resetState(): void {
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

	protected loadAgents(): void {
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

	protected nextId(kind: 'channel' | 'customer' | 'hook'): number {
		this.nextIds[kind] += 1;
		return this.nextIds[kind];
	}

	protected requireCustomer(id: number): CustomerRecord {
		const customer = this.customers.get(Number(id));
		if (!customer) throw new Error(`unknown customer ${id}`);
		return customer;
	}

	protected customerView(c: CustomerRecord): Record<string, unknown> {
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
	protected resolveVariables(c: CustomerRecord, value: unknown): unknown {
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

	protected rawMessage(
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

	protected buildMessage(
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
	protected hookMessage(customer: CustomerRecord, m: LandbotMessage): Record<string, unknown> {
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
	protected transcriptMessage(m: LandbotMessage): Record<string, unknown> {
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
}

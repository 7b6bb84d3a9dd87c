import * as http from 'http';
import * as crypto from 'crypto';

import { Outbox, Timers, clone, isObject } from '../http';
import { DEFAULT_RETRY_SCHEDULE_MS, MAX_MESSAGE_BYTES, fail, lastOf, nowStamp, upperId } from './common';
import type {
	ChatRecord,
	ChatUser,
	ClientRecord,
	LiveChatAgent,
	LiveChatApiCall,
	LiveChatBot,
	LiveChatCustomer,
	LiveChatDeliveryAttempt,
	LiveChatEvent,
	LiveChatGroup,
	LiveChatRoutingStatus,
	LiveChatSimulatorOptions,
	LiveChatWebhook,
	PropertyRecord,
	Reply,
	ThreadRecord,
} from './common';

/**
 * What the simulated LiveChat organization holds (apps, agents, customers, chats, webhooks, files)
 * and the views its APIs answer with. The bottom layer of LiveChatSimulator: each file above adds
 * one part of the API (chats.ts → agentApi.ts → customerApi.ts → configurationApi.ts → server.ts →
 * simulator.ts) and sees what the layers below it keep.
 */
export abstract class LiveChatState {
	/** Set by the constructor (simulator.ts). */
	protected options!: Required<Omit<LiveChatSimulatorOptions, 'rateLimit'>> & { rateLimit: { requests: number; windowMs: number } };
	protected server: http.Server | undefined;
	protected port = 0;
	protected timers = new Timers();
	protected outbox = new Outbox();
	protected stopped = false;

	protected clients = new Map<string, ClientRecord>();
	protected groups = new Map<number, LiveChatGroup>();
	protected agents = new Map<string, LiveChatAgent>();
	/** account id → { pat, agent id } */
	protected pats = new Map<string, { pat: string; agentId: string }>();
	protected agentTokens = new Map<string, string>();
	protected bots = new Map<string, LiveChatBot>();
	protected customers = new Map<string, LiveChatCustomer>();
	protected customerTokens = new Map<string, { entityId: string; clientId: string; expiresAt: number }>();
	/** Cookie-grant identities: `__lc_cid` → its `__lc_cst` and customer. */
	protected cookieIdentities = new Map<string, { cst: string; entityId: string }>();
	protected chats = new Map<string, ChatRecord>();
	protected webhooks: LiveChatWebhook[] = [];
	/** Every credential issued or registered, kept through reset() (see secrets()). */
	protected issuedSecrets = new Set<string>();
	protected properties = new Map<string, PropertyRecord>();
	protected files = new Map<string, { name: string; contentType: string; data: Buffer }>();
	protected calls: LiveChatApiCall[] = [];
	protected attempts: LiveChatDeliveryAttempt[] = [];
	protected rateWindows = new Map<string, number[]>();
	protected pendingDeliveries = 0;
	protected chatSeq = 0;

	// ---------------------------------------------------------------- internals: records and JSON

	protected resolveOptions(options: LiveChatSimulatorOptions): LiveChatState['options'] {
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

	protected requireChat(chatId: string): ChatRecord {
		const chat = this.chats.get(chatId);
		if (!chat) throw new Error(`unknown chat ${chatId}`);
		return chat;
	}

	protected activeThread(chat: ChatRecord): ThreadRecord | undefined {
		const last = lastOf(chat.threads);
		return last?.active ? last : undefined;
	}

	protected userJson(user: ChatUser): Record<string, unknown> {
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

	protected threadJson(thread: ThreadRecord): Record<string, unknown> {
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
	protected chatJson(chat: ChatRecord, thread?: ThreadRecord): Record<string, unknown> {
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
	protected summaryJson(chat: ChatRecord): Record<string, unknown> {
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

	protected addUser(chat: ChatRecord, id: string, type: 'agent' | 'customer', visibility: 'all' | 'agents'): void {
		if (!chat.users.some((u) => u.id === id)) chat.users.push({ id, type, present: true, visibility });
		const thread = this.activeThread(chat);
		if (thread && !thread.user_ids.includes(id)) thread.user_ids.push(id);
	}

	protected routingStatusOf(agent: LiveChatAgent): LiveChatRoutingStatus {
		return agent.offline ? 'offline' : agent.accepting ? 'accepting_chats' : 'not_accepting_chats';
	}

	protected agentsInGroup(groupId: number): LiveChatAgent[] {
		return [...this.agents.values()].filter((a) => a.group_ids.includes(groupId));
	}

	/** CHOICE: routing picks the accepting agent of the groups with the fewest active chats. */
	protected pickAgent(groupIds: number[]): LiveChatAgent | undefined {
		const candidates = groupIds.flatMap((g) => this.agentsInGroup(g)).filter((a) => a.accepting);
		const load = (agent: LiveChatAgent) =>
			[...this.chats.values()].filter((c) => this.activeThread(c) && c.users.some((u) => u.id === agent.id)).length;
		return [...new Set(candidates)].sort((a, b) => load(a) - load(b) || a.id.localeCompare(b.id))[0];
	}

	protected queueFor(): { position: number; wait_time: number; queued_at: string } {
		const queued = [...this.chats.values()].filter((c) => this.activeThread(c)?.queue).length;
		return { position: queued + 1, wait_time: 60 * (queued + 1), queued_at: nowStamp() };
	}

	// ---------------------------------------------------------------- internals: properties

	protected propertyKey(namespace: string, name: string): string {
		return `${namespace}/${name}`;
	}

	/**
	 * Properties must be registered before they are set (Configuration API, "Properties"); the
	 * license's `test` namespace holds rw test properties for everyone.
	 * CHOICE: access rules (private vs published, agent vs customer) are not enforced.
	 */
	protected validateProperties(properties: unknown): string | undefined {
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

	protected matchesPropertyFilter(chat: ChatRecord, filter: Record<string, any>): boolean {
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

	protected buildEvents(
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
	protected checkEvent(event: unknown): Reply | undefined {
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

	protected makeEvent(thread: ThreadRecord, authorId: string | undefined, raw: Record<string, any>, offset = 0): LiveChatEvent {
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

	protected newThread(chat: ChatRecord, access: { group_ids: number[] }, properties: unknown, active: boolean): ThreadRecord {
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

	// Public methods of LiveChatSimulator (simulator.ts) the API layers use.
	abstract get baseUrl(): string;
	abstract get organizationId(): string;
	abstract createCustomer(input?: { name?: string; email?: string }): LiveChatCustomer;
	abstract licenseWebhooksEnabled(clientId: string): boolean;
}

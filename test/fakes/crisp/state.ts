import * as http from 'http';
import * as crypto from 'crypto';

import { Outbox, Router, Timers } from '../http';
import type { FaultInjection } from '../http';

// The Crisp simulator's records, options and the JSON views its REST API and Web Hooks answer with.
// docs/platforms/crisp.md lists the facts and their sources. Bottom layer of CrispSimulator:
// state.ts → hooks.ts → conversations.ts → directory.ts → simulator.ts.

export interface CrispSimulatorOptions {
	/** 0 (default) = a random free port. */
	port?: number;
	host?: string;
	/** Multiplies every delay (the wait between hook delivery attempts). */
	timeScale?: number;
	/** Messages in one `GET …/messages` batch. CHOICE: Crisp does not document the size; 40. */
	messagesBatchSize?: number;
	/** Conversations in one `GET …/conversations/{page}` page. CHOICE: 20. */
	conversationsPerPage?: number;
	/** Daily request quota of a plugin token (documented: 5,000) and a website token (10,000). 0 = off. */
	pluginDailyQuota?: number;
	websiteDailyQuota?: number;
	/** CHOICE: a per-token, per-minute limit (Crisp has undocumented global/per-route limits). 0 (default) = off. */
	rateLimitPerMinute?: number;
	/** X-Delivery-Attempt-Limit. CHOICE: 3 (Crisp exposes the count, not the schedule). */
	hookAttemptLimit?: number;
	/** CHOICE: wait before attempt n+1 = hookRetryDelayMs · n · timeScale. */
	hookRetryDelayMs?: number;
	/** How long one delivery may take. CHOICE: 10 s. Not scaled. */
	hookTimeoutMs?: number;
	/** UNCONFIRMED (the sheet): REST writes fire the same events as the app does. Default true. */
	echoRestWrites?: boolean;
	faults?: FaultInjection;
}

export type Tier = 'plugin' | 'website';
export type SessionState = 'pending' | 'unresolved' | 'resolved';
export const SESSION_STATES: SessionState[] = ['pending', 'unresolved', 'resolved'];
/** Conversation `status` number next to `state` (UNCONFIRMED: 0 pending, 1 unresolved, 2 resolved). */
export const STATUS_NUMBER: Record<SessionState, number> = { pending: 0, unresolved: 1, resolved: 2 };
/** ConversationMessageNewBase `type` (node-crisp-api lib/resources/WebsiteConversation.ts). */
export const MESSAGE_TYPES = ['text', 'note', 'file', 'audio', 'animation', 'picker', 'field', 'carousel', 'event'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];
export type From = 'user' | 'operator';

/** DEFAULT_RTM_EVENTS / Events.ts: the events a hook can subscribe to (the ones the simulator fires). */
export const HOOK_EVENTS = [
	'message:send',
	'message:received',
	'message:updated',
	'message:removed',
	'message:compose:send',
	'message:compose:receive',
	'session:set_state',
	'session:set_routing',
	'session:set_opened',
	'session:set_closed',
	'session:set_email',
	'session:set_nickname',
	'session:set_phone',
	'session:set_data',
	'session:set_segments',
	'session:set_subject',
	'session:set_inbox',
	'session:removed',
	'people:profile:created',
];

export interface TokenRecord {
	identifier: string;
	key: string;
	tier: Tier;
	/** Plugin tier: its plugin. */
	pluginId?: string;
	/** Website tier: its one workspace. */
	websiteId?: string;
}

export interface PluginRecord {
	pluginId: string;
	name: string;
	/** Websites that installed the plugin. */
	installs: Set<string>;
	/** Marketplace → plugin → Web Hooks: one URL, signed with `secret`. */
	hookUrl: string | null;
	hookEvents: string[];
	secret: string;
}

export interface OperatorRecord {
	userId: string;
	email: string;
	firstName: string;
	lastName: string;
	role: 'owner' | 'member';
	availability: 'online' | 'away' | 'offline';
}

export interface InboxRecord {
	inboxId: string;
	name: string;
	emoji: string | null;
	operators: string[];
	order: number;
	createdAt: number;
}

export interface WebsiteHookRecord {
	hookId: string;
	url: string;
	events: string[];
}

export interface WebsiteRecord {
	websiteId: string;
	name: string;
	domain: string;
	operators: OperatorRecord[];
	inboxes: InboxRecord[];
	/** Workspace settings → Advanced configuration → Web Hooks (unsigned). */
	hooks: WebsiteHookRecord[];
}

export interface SessionMeta {
	nickname: string;
	email: string | null;
	phone: string | null;
	avatar: string | null;
	subject: string | null;
	segments: string[];
	data: Record<string, unknown>;
}

export interface ConversationRecord {
	sessionId: string;
	websiteId: string;
	state: SessionState;
	assignedUserId: string | null;
	inboxId: string | null;
	meta: SessionMeta;
	/** Operators who have the conversation open in the app. */
	openedBy: Set<string>;
	createdAt: number;
	updatedAt: number;
}

export interface MessageUser {
	user_id: string;
	nickname: string;
	avatar?: string;
}

export interface MessageRecord {
	sessionId: string;
	websiteId: string;
	fingerprint: number;
	type: MessageType;
	from: From;
	origin: string;
	content: unknown;
	user: MessageUser;
	stealth: boolean;
	automated: boolean;
	mentions: string[];
	read: boolean;
	edited: boolean;
	timestamp: number;
}

export interface PeopleRecord {
	peopleId: string;
	websiteId: string;
	email: string;
	nickname: string;
	segments: string[];
	createdAt: number;
}

export interface CrispApiCall {
	/** Refused by fault injection, not by the platform. */
	injected?: boolean;
	at: number;
	method: string;
	path: string;
	query: Record<string, string>;
	headers: http.IncomingHttpHeaders;
	body: unknown;
	status?: number;
	/** `plugin:<identifier>` / `website:<identifier>` when the token was known. */
	caller?: string;
}

export type HookKind = 'plugin' | 'website';

export interface CrispDeliveryAttempt {
	/** Our id of the logical delivery: the same on every attempt. */
	jobId: string;
	kind: HookKind;
	/** plugin id or website hook id */
	targetId: string;
	event: string;
	url: string;
	attempt: number;
	attemptLimit: number;
	at: number;
	status: number | null;
	error?: string;
	headers: Record<string, string>;
	rawBody: string;
	body: any;
	signed: boolean;
	retryInMs?: number;
	gaveUp?: boolean;
}

export interface Reply {
	status: number;
	body?: unknown;
	headers?: Record<string, string>;
}

export interface Ctx {
	params: Record<string, string>;
	query: Record<string, string>;
	body: Record<string, any>;
	token: TokenRecord;
	website?: WebsiteRecord;
}

export interface RouteDef {
	/** 'website': a `:website_id` the token may reach; 'plugin': plugin tier only. */
	access: 'website' | 'plugin';
	handler: (ctx: Ctx) => Reply;
}

// The envelope of every answer (node-crisp-api __request reads `error`, `reason`, `data`).
// UNCONFIRMED: the `reason` words of success answers ("resolved" for reads, "dispatched" for writes).
export const ok = (data: unknown, reason = 'resolved'): Reply => ({ status: 200, body: { error: false, reason, data } });
export const dispatched = (data: unknown = {}): Reply => ({ status: 202, body: { error: false, reason: 'dispatched', data } });
/** On 4xx/5xx `reason` and `data.message` (lib); UNCONFIRMED: the reason words. */
export const fail = (status: number, reason: string, message?: string): Reply => ({
	status,
	body: { error: true, reason, data: message ? { message } : {} },
});
export const NOT_FOUND = fail(404, 'not_found');
export const invalidData = (message: string): Reply => fail(400, 'invalid_data', message);

/** Independent of the lib: hex HMAC-SHA256(secret, "[" + timestamp + ";" + body + "]") (docs; lib __verifySignature). */
export function crispSignature(secret: string, timestamp: string | number, body: string): string {
	return crypto.createHmac('sha256', secret).update(`[${timestamp};${body}]`).digest('hex');
}

export abstract class CrispState {
	protected options!: Required<CrispSimulatorOptions>;
	protected server: http.Server | undefined;
	protected port = 0;
	protected router = new Router<RouteDef>();
	protected timers = new Timers();
	protected outbox = new Outbox();
	protected stopped = false;

	protected tokens = new Map<string, TokenRecord>();
	protected plugins = new Map<string, PluginRecord>();
	protected websites = new Map<string, WebsiteRecord>();
	protected conversations = new Map<string, ConversationRecord>();
	/** session_id → messages, oldest first. */
	protected messages = new Map<string, MessageRecord[]>();
	protected people = new Map<string, PeopleRecord>();
	protected calls: CrispApiCall[] = [];
	protected attempts: CrispDeliveryAttempt[] = [];
	protected pendingDeliveries = 0;
	/** quota/limit windows: key → count */
	protected counters = new Map<string, number>();
	/**
	 * CHOICE: message timestamps are ms and strictly increasing (Crisp does not say; two messages in one
	 * ms may well tie there, and the trigger's catch-up does not rely on this: test/unit/crisp/catchUp.test.ts plays ties).
	 */
	private lastTimestamp = 0;

	protected resolveOptions(o: CrispSimulatorOptions): Required<CrispSimulatorOptions> {
		return {
			port: o.port ?? 0,
			host: o.host ?? '127.0.0.1',
			timeScale: o.timeScale ?? 1,
			messagesBatchSize: o.messagesBatchSize ?? 40,
			conversationsPerPage: o.conversationsPerPage ?? 20,
			pluginDailyQuota: o.pluginDailyQuota ?? 5000,
			websiteDailyQuota: o.websiteDailyQuota ?? 10000,
			rateLimitPerMinute: o.rateLimitPerMinute ?? 0,
			hookAttemptLimit: o.hookAttemptLimit ?? 3,
			hookRetryDelayMs: o.hookRetryDelayMs ?? 10000,
			hookTimeoutMs: o.hookTimeoutMs ?? 10000,
			echoRestWrites: o.echoRestWrites ?? true,
			faults: o.faults ?? { rate: 0 },
		};
	}

	get baseUrl(): string {
		return `http://${this.options.host}:${this.port}`;
	}

	protected now(): number {
		this.lastTimestamp = Math.max(Date.now(), this.lastTimestamp + 1);
		return this.lastTimestamp;
	}

	protected messagesOf(sessionId: string): MessageRecord[] {
		let list = this.messages.get(sessionId);
		if (!list) this.messages.set(sessionId, (list = []));
		return list;
	}

	// ---------------------------------------------------------------- views

	/** RTM / Web Hook message data (sheet: website_id, session_id, inbox_id, type, from, origin, content, fingerprint, timestamp, user, mentions, stamped, automated). */
	protected messageData(m: MessageRecord): Record<string, unknown> {
		const c = this.conversations.get(m.sessionId);
		return {
			website_id: m.websiteId,
			session_id: m.sessionId,
			inbox_id: c?.inboxId ?? null,
			type: m.type,
			from: m.from,
			origin: m.origin,
			content: m.content,
			fingerprint: m.fingerprint,
			timestamp: m.timestamp,
			user: { ...m.user },
			mentions: [...m.mentions],
			stamped: true,
			automated: m.automated,
			stealth: m.stealth,
		};
	}

	/** What `GET …/messages` and `GET …/message/{fingerprint}` answer (UNCONFIRMED: read/delivered/edited fields). */
	protected messageJson(m: MessageRecord): Record<string, unknown> {
		return { ...this.messageData(m), read: m.read ? 'chat' : '', delivered: 'chat', edited: m.edited };
	}

	/** `GET …/conversation/{session_id}` (the fields the sheet names; the rest UNCONFIRMED). */
	protected conversationJson(c: ConversationRecord): Record<string, unknown> {
		const list = this.messagesOf(c.sessionId);
		const last = [...list].reverse().find((m) => m.type !== 'note');
		return {
			session_id: c.sessionId,
			website_id: c.websiteId,
			inbox_id: c.inboxId,
			state: c.state,
			status: STATUS_NUMBER[c.state],
			is_verified: false,
			is_blocked: false,
			availability: 'offline',
			assigned: c.assignedUserId ? { user_id: c.assignedUserId } : {},
			meta: {
				nickname: c.meta.nickname,
				email: c.meta.email,
				phone: c.meta.phone,
				avatar: c.meta.avatar,
				subject: c.meta.subject,
				segments: [...c.meta.segments],
				data: { ...c.meta.data },
			},
			last_message: last && typeof last.content === 'string' ? last.content : '',
			unread: {
				operator: list.filter((m) => m.from === 'user' && !m.read).length,
				visitor: list.filter((m) => m.from === 'operator' && m.type !== 'note' && !m.read).length,
			},
			created_at: c.createdAt,
			updated_at: c.updatedAt,
		};
	}

	protected operatorJson(o: OperatorRecord): Record<string, unknown> {
		return {
			type: 'operator',
			details: {
				user_id: o.userId,
				email: o.email,
				first_name: o.firstName,
				last_name: o.lastName,
				role: o.role,
				availability: o.availability,
			},
		};
	}

	protected inboxJson(i: InboxRecord): Record<string, unknown> {
		return { inbox_id: i.inboxId, name: i.name, emoji: i.emoji, order: i.order, operators: [...i.operators], conditions: [], created_at: i.createdAt };
	}

	protected peopleJson(p: PeopleRecord): Record<string, unknown> {
		return {
			people_id: p.peopleId,
			email: p.email,
			person: { nickname: p.nickname },
			segments: [...p.segments],
			created_at: p.createdAt,
			updated_at: p.createdAt,
		};
	}
}

import * as http from 'http';

import { isObject } from '../http';
import type { FaultInjection } from '../http';

// The Landbot simulator's records, constants and pure helpers, shared by its files.

export type LandbotChannelType = 'landbot' | 'whatsapp' | 'facebook' | 'apichat';
export type LandbotFieldType = 'string' | 'integer' | 'float' | 'boolean' | 'date' | 'datetime' | 'object';
export type LandbotSenderType = 'customer' | 'agent' | 'bot' | 'sys';
export type LandbotAuthorType = 'user' | 'agent' | 'bot' | 'sys';

export interface LandbotSimulatorOptions {
	/** Reliability tests: refuse a share of API calls with 429/5xx before they reach the platform (see FaultInjection). */
	faults?: FaultInjection;
	/** 0 (default) = a random free port. */
	port?: number;
	host?: string;
	/** API token → agent id. Each token acts as its agent. Default: two demo agents (101, 102). */
	tokens?: Record<string, number>;
	/** Optional names/emails for the agents of `tokens`. */
	agents?: Array<{ id: number; name?: string; email?: string }>;
	/** Sheet: 10 requests/second per token. */
	rateLimitPerSecond?: number;
	/** Multiplies every delay (hook retry backoff, idle unassignment). 0.01 → 100× faster. */
	timeScale?: number;
	/** Unassign an agent-assigned conversation after this long without user/agent interaction. 0 = off. */
	idleUnassignMs?: number;
	/** Landbot documents no event for that unassignment (sheet), so by default nothing is sent. */
	sysMessageOnUnassign?: boolean;
	/** How long one hook delivery attempt may take before it counts as failed. Not scaled. */
	hookTimeoutMs?: number;
	/** Attempts per hook delivery, first included. Sheet: "6+ attempts". */
	hookMaxAttempts?: number;
	/**
	 * CHOICE: what the bot "says" when `assign_bot` is called with `launch: true` (a real bot would
	 * send the content of `node`). `false` = say nothing.
	 */
	botLaunchMessage?: false | ((botId: number, node: string | null) => string);
}

export interface LandbotAgent {
	id: number;
	name: string;
	email: string;
	token: string;
}

export interface LandbotChannel {
	id: number;
	name: string;
	type: LandbotChannelType;
	active: boolean;
	created_at: number;
}

export interface LandbotHook {
	id: number;
	channel_id: number;
	url: string;
	token: string | null;
	name: string;
	created_at: number;
	updated_at: number;
}

export interface LandbotField {
	type: LandbotFieldType;
	value: unknown;
	extra?: unknown;
}

/** One message of a conversation, as the simulator stores it. */
export interface LandbotMessage {
	uuid: string;
	customer_id: number;
	chat: number;
	type: string;
	author_type: LandbotAuthorType;
	sender: { id: number | null; name: string; type: LandbotSenderType };
	data: Record<string, unknown>;
	/** `_raw.message`: the text (or caption) of the message. */
	message: string;
	extra: Record<string, unknown>;
	/** Unix seconds, float (sheet). */
	timestamp: number;
}

export interface LandbotConversationEvent {
	at: number;
	type: 'assign' | 'unassign' | 'idle_unassign' | 'assign_bot' | 'bot_stopped';
	agent_id?: number | null;
	by?: number | null;
	bot_id?: number;
	node?: string | null;
}

export interface CustomerRecord {
	id: number;
	chat: number;
	name: string;
	email: string | null;
	phone: string | null;
	channel_id: number;
	archived: boolean;
	blocked: boolean;
	opt_in: boolean;
	agent_id: number | null;
	register_date: number;
	unread: number;
	last_message: number | null;
	country: string | null;
	url: string | null;
	fields: Map<string, LandbotField>;
	/** WhatsApp only: false = outside the 24 h customer-service window. */
	whatsapp_window_open: boolean;
	bot: { id: number | null; node: string | null; active: boolean; launched: boolean };
	messages: LandbotMessage[];
	events: LandbotConversationEvent[];
	idleTimer?: NodeJS.Timeout;
}

export interface LandbotCustomerState {
	customer: Record<string, unknown>;
	agent_id: number | null;
	bot: { id: number | null; node: string | null; active: boolean; launched: boolean };
	whatsapp_window_open: boolean;
	/** Chronological. */
	messages: LandbotMessage[];
	events: LandbotConversationEvent[];
}

export interface LandbotApiCall {
	/** Refused by fault injection, not by the platform. */
	injected?: boolean;
	at: number;
	method: string;
	path: string;
	query: Record<string, string>;
	headers: http.IncomingHttpHeaders;
	body: unknown;
	status?: number;
	agentId?: number;
}

export interface LandbotDeliveryAttempt {
	deliveryId: string;
	hookId: number;
	url: string;
	customerId: number;
	messageUuid: string;
	attempt: number;
	at: number;
	/** HTTP status, or null on a connection error / timeout. */
	status: number | null;
	error?: string;
	headers: Record<string, string>;
	body: unknown;
	/** Delay before the next attempt, if one is scheduled. */
	retryInMs?: number;
	/** True when this was the last attempt and it failed. */
	gaveUp?: boolean;
}

export interface CreateCustomerInput {
	channel_id: number;
	id?: number;
	name?: string;
	email?: string | null;
	phone?: string | null;
	country?: string | null;
	url?: string | null;
	archived?: boolean;
	opt_in?: boolean;
	agent_id?: number | null;
	/** Plain values get a type inferred from JS; `{type, value}` sets it explicitly. */
	fields?: Record<string, unknown>;
	whatsapp_window_open?: boolean;
	bot?: { id: number; node?: string | null; active?: boolean };
}

export type CustomerSaysInput =
	| string
	| { text?: string; image?: string; url?: string; caption?: string; latitude?: number; longitude?: number };

export type BotSaysInput = string | { text: string; buttons?: string[] };

/** A Webhook block of the bot: where it sends what (strings may hold `@variables`). */
export interface WebhookBlockInput {
	url: string;
	/** Default POST. */
	method?: string;
	headers?: Record<string, string>;
	/** JSON body; `@id`, `@name`, `@email`, `@phone` and `@<custom field>` are replaced in strings. */
	body?: unknown;
	/** Not scaled; default 10 s. */
	timeoutMs?: number;
}

/** One call a Webhook block made, and what it got back. */
export interface WebhookBlockCall {
	at: number;
	customerId: number;
	method: string;
	url: string;
	headers: Record<string, string>;
	body: unknown;
	/** HTTP status, or null on a connection error / timeout. */
	status: number | null;
	response?: unknown;
	error?: string;
}

export interface Reply {
	status: number;
	body?: unknown;
	headers?: Record<string, string>;
}

export interface ApiContext {
	agent: LandbotAgent;
	params: Record<string, string>;
	query: Record<string, string>;
	body: any;
}

export interface Delivery {
	id: string;
	hook: LandbotHook;
	customerId: number;
	messageUuid: string;
	body: { messages: unknown[] };
	sentryTrace: string;
	attempts: number;
}

export const CHANNEL_TYPES: LandbotChannelType[] = ['landbot', 'whatsapp', 'facebook', 'apichat'];
export const FIELD_TYPES: LandbotFieldType[] = ['string', 'integer', 'float', 'boolean', 'date', 'datetime', 'object'];
/** Sheet: field names match `^[a-z0-9_]+$`. */
export const FIELD_NAME = /^[a-z0-9_]+$/;
/** Sheet: MessageHooks "Fires for web (`landbot`) and WhatsApp channels". */
export const HOOK_CHANNEL_TYPES: LandbotChannelType[] = ['landbot', 'whatsapp'];
/** Sheet: retries on a linear backoff of about 5, 10, 15, 20, 25 s. */
export const HOOK_RETRY_STEP_MS = 5000;
/** Customer keys of a hook payload that a custom field may not override. */
export const HOOK_CUSTOMER_CORE_KEYS = ['id', 'agent_id', 'archived', 'name'];

/**
 * UNCONFIRMED: Landbot's answer when a message hook is created on a channel type that does not
 * fire hooks (facebook, apichat). Status and text are our guess in Landbot's error shape.
 */
export const HOOK_UNSUPPORTED_CHANNEL: Reply = {
	status: 400,
	body: { errors: { channel: ['MessageHooks are only available for web (landbot) and WhatsApp channels.'] } },
};

/**
 * Sheet: "WhatsApp: only inside the 24 h window (412/403 otherwise)". CHOICE: 412; the text is ours.
 */
export const WHATSAPP_WINDOW_CLOSED: Reply = {
	status: 412,
	body: {
		errors: {
			whatsapp: ['The 24h customer service window is closed: only template messages can be sent.'],
		},
	},
};

/** Sheet: 412 when another agent owns the customer. The text is ours. */
export const OWNED_BY_ANOTHER_AGENT: Reply = {
	status: 412,
	body: { errors: { agent: ['This customer is assigned to another agent.'] } },
};

export const INVALID_TOKEN: Reply = { status: 401, body: { detail: 'Invalid token.' } };
/** Sheet: 429 `{"errors":{"rate":["Too many requests"]}}`, with no Retry-After header. */
export const TOO_MANY_REQUESTS: Reply = { status: 429, body: { errors: { rate: ['Too many requests'] } } };
/** Django REST framework's answer for a path that matches no route. */
export const NOT_FOUND_PATH: Reply = { status: 404, body: { detail: 'Not found.' } };

export const notFound = (what: string): Reply => ({ status: 404, body: { errors: { [what]: ['Not found.'] } } });
export const badRequest = (field: string, message: string): Reply => ({
	status: 400,
	body: { errors: { [field]: [message] } },
});
export const ok = (body: unknown = { success: true }): Reply => ({ status: 200, body });

export const DEFAULT_TOKENS: Record<string, number> = {
	'landbot-token-agent-101': 101,
	'landbot-token-agent-102': 102,
};

/** "YYYY-MM-DD HH:MM:SS" in UTC (sheet: transcript `message_datetime`). */
export function landbotDatetime(seconds: number): string {
	return new Date(Math.floor(seconds) * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

export function parseId(value: string): number | undefined {
	return /^\d+$/.test(value) ? Number(value) : undefined;
}

export function parseBool(value: string | undefined): boolean | undefined {
	if (value === undefined) return undefined;
	if (['true', 'True', '1'].includes(value)) return true;
	if (['false', 'False', '0'].includes(value)) return false;
	return undefined;
}

/** Coerces a custom field value to its type; returns an error message when it does not fit. */
export function coerceField(type: LandbotFieldType, value: unknown): { value: unknown } | { error: string } {
	switch (type) {
		case 'string':
			if (typeof value === 'string') return { value };
			if (typeof value === 'number' || typeof value === 'boolean') return { value: String(value) };
			return { error: 'Not a valid string.' };
		case 'integer': {
			if (typeof value === 'number' && Number.isInteger(value)) return { value };
			if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return { value: Number(value) };
			return { error: 'A valid integer is required.' };
		}
		case 'float': {
			if (typeof value === 'number' && Number.isFinite(value)) return { value };
			if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
				return { value: Number(value) };
			}
			return { error: 'A valid number is required.' };
		}
		case 'boolean':
			if (typeof value === 'boolean') return { value };
			if (value === 'true' || value === 'false') return { value: value === 'true' };
			return { error: 'Must be a valid boolean.' };
		case 'date':
			if (
				typeof value === 'string' &&
				/^\d{4}-\d{2}-\d{2}$/.test(value) &&
				!Number.isNaN(Date.parse(`${value}T00:00:00Z`))
			) {
				return { value };
			}
			return { error: 'Date has wrong format. Use one of these formats instead: YYYY-MM-DD.' };
		case 'datetime':
			if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(value) && !Number.isNaN(Date.parse(value))) {
				return { value };
			}
			return { error: 'Datetime has wrong format. Use ISO 8601.' };
		case 'object':
			if (isObject(value)) return { value };
			return { error: 'Must be a JSON object.' };
	}
}

export function inferFieldType(value: unknown): LandbotFieldType {
	if (typeof value === 'boolean') return 'boolean';
	if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'float';
	if (isObject(value)) return 'object';
	return 'string';
}

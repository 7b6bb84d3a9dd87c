import * as http from 'http';
import * as crypto from 'crypto';
import { parseMultipart } from '../http';

// The LiveChat simulator's records, constants and pure helpers, shared by its files.

export interface LiveChatSimulatorOptions {
	/** 0 (default) = a random free port. */
	port?: number;
	host?: string;
	/** Multiplies every delay (webhook retry schedule). 0.001 → 1000× faster. */
	timeScale?: number;
	/** Docs: an answer other than 200 within about 10 s is retried. Not scaled. */
	hookTimeoutMs?: number;
	/**
	 * Waits before each retry of a failed delivery, in ms (unscaled). Docs (guides/livechat-apps): "up
	 * to 3 times within ~1 minute". CHOICE: 10 s, 20 s, 30 s (retries about 10 s, 30 s and 60 s after
	 * the first try); then the delivery is given up.
	 */
	retryScheduleMs?: number[];
	organizationId?: string;
	/** Requests allowed per identity (token) and window; 0 = no limit (default). CHOICE: LiveChat publishes no numbers. */
	rateLimit?: { requests: number; windowMs: number };
	/** Seconds a customer token lives. Docs: 28800. */
	customerTokenTtlSec?: number;
}

export interface LiveChatAgent {
	id: string;
	name: string;
	email: string;
	account_id: string;
	role: string;
	group_ids: number[];
	accepting: boolean;
	/** CHOICE: agents are logged in (accepting or not) unless set offline (routing status `offline`). */
	offline?: boolean;
}

export type LiveChatRoutingStatus = 'accepting_chats' | 'not_accepting_chats' | 'offline';

export interface LiveChatBot {
	id: string;
	name: string;
	group_ids: number[];
	owner_client_id: string | null;
}

export interface LiveChatGroup {
	id: number;
	name: string;
	language_code: string;
}

export interface LiveChatCustomer {
	id: string;
	type: 'customer';
	name?: string;
	email?: string;
	created_at: string;
	session_fields: Array<Record<string, string>>;
}

export interface LiveChatEvent {
	id: string;
	type: string;
	author_id?: string;
	created_at: string;
	visibility: 'all' | 'agents';
	custom_id?: string;
	text?: string;
	properties?: Record<string, unknown>;
	[key: string]: unknown;
}

export interface ThreadRecord {
	id: string;
	active: boolean;
	created_at: string;
	user_ids: string[];
	events: LiveChatEvent[];
	properties: Record<string, unknown>;
	access: { group_ids: number[] };
	queue?: { position: number; wait_time: number; queued_at: string };
	previous_thread_id?: string;
}

export interface ChatUser {
	id: string;
	type: 'agent' | 'customer';
	present: boolean;
	visibility: 'all' | 'agents';
}

export interface ChatRecord {
	id: string;
	users: ChatUser[];
	properties: Record<string, Record<string, unknown>>;
	access: { group_ids: number[] };
	threads: ThreadRecord[];
	/** Creation order, for sorting (not returned). */
	seq: number;
	/** Last activity, for sorting (not returned). */
	touched: number;
}

export interface LiveChatWebhook {
	id: string;
	action: string;
	secret_key: string;
	url: string;
	type: 'license' | 'bot';
	owner_client_id: string;
	description?: string;
	filters?: Record<string, unknown>;
	additional_data?: string[];
}

export interface PropertyRecord {
	name: string;
	owner_client_id: string;
	type: string;
	access: Record<string, unknown>;
	description: string;
	public_access?: string[];
}

export interface LiveChatApiCall {
	at: number;
	method: string;
	path: string;
	api: string;
	action: string;
	version: string;
	query: Record<string, string>;
	headers: http.IncomingHttpHeaders;
	body: unknown;
	status?: number;
}

export interface LiveChatDeliveryAttempt {
	deliveryId: string;
	webhookId: string;
	action: string;
	url: string;
	attempt: number;
	at: number;
	status: number | null;
	error?: string;
	body: any;
	retryInMs?: number;
	gaveUp?: boolean;
}

export type Identity =
	| { kind: 'agent'; agent: LiveChatAgent; token: string }
	| { kind: 'customer'; customer: LiveChatCustomer; token: string; clientId: string };

export interface Reply {
	status: number;
	body?: unknown;
	/** A list sends the header once per value (Set-Cookie). */
	headers?: Record<string, string | string[]>;
}

/** An app of the organization (Developer Console): its Client ID, redirect URIs and installation. */
export interface ClientRecord {
	id: string;
	name: string;
	/** The Redirect URI whitelist of its App Authorization block. */
	redirectUris: string[];
	/** Installed on the license (Private installation → Install app). */
	installed: boolean;
	/** disable_license_webhooks was called (until enable_license_webhooks). */
	webhooksDisabled: boolean;
}

export interface Ctx {
	version: string;
	body: any;
	query: Record<string, string>;
	headers: http.IncomingHttpHeaders;
	who: Identity;
	/** The user actions are authored by: the agent, a bot (X-Author-Id), or the customer. */
	actorId: string;
	raw: Buffer;
}

/** Actions `register_webhook` accepts (Configuration API v3.6, "Triggering actions"). */
export const WEBHOOK_ACTIONS = [
	'incoming_chat', 'chat_deactivated', 'chat_access_updated', 'chat_transferred', 'user_added_to_chat',
	'user_removed_from_chat', 'incoming_event', 'event_deleted', 'event_updated', 'incoming_rich_message_postback',
	'chat_properties_updated', 'chat_properties_deleted', 'thread_properties_updated', 'thread_properties_deleted',
	'event_properties_updated', 'event_properties_deleted', 'thread_tagged', 'thread_untagged', 'routing_status_set',
	'customer_session_fields_updated', 'events_marked_as_seen', 'group_created', 'group_updated', 'group_deleted',
	'agent_created', 'agent_updated', 'agent_deleted', 'agent_suspended', 'agent_unsuspended', 'agent_approved',
	'bot_created', 'bot_updated', 'bot_deleted', 'auto_accesses_updated', 'tag_created', 'tag_deleted', 'tag_updated',
	'thread_summary_set',
];
/** Docs: "a limit of three webhooks for every action a Client ID can register". */
export const WEBHOOKS_PER_ACTION = 3;
export const SUPPORTED_VERSIONS = ['v3.5', 'v3.6'];
export const DEFAULT_RETRY_SCHEDULE_MS = [10, 20, 30].map((s) => s * 1000);
/** Docs (customer-authorization): the cookies live 2 years, renewed by each grant. */
export const COOKIE_MAX_AGE_SEC = 63072000;
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
export const MAX_MESSAGE_BYTES = 16 * 1024;

/**
 * LiveChat's error body `{"error": {"type", "message"}}` with the docs' default messages.
 * CHOICE: the HTTP statuses (the docs name the types, not the codes).
 */
export const ERROR_STATUS: Record<string, number> = {
	authentication: 401,
	authorization: 403,
	missing_access: 403,
	not_found: 404,
	validation: 400,
	chat_inactive: 400,
	limit_reached: 400,
	already_exists: 409,
	entity_too_large: 413,
	too_many_requests: 429,
	unsupported_version: 400,
	internal: 500,
};
export const DEFAULT_MESSAGES: Record<string, string> = {
	authentication: 'Invalid access token',
	authorization: 'Authorization error',
	validation: 'Wrong format of request',
	chat_inactive: 'Chat is inactive',
	limit_reached: 'Limit reached',
	entity_too_large: 'Upload limit exceeded (10MB).',
	too_many_requests: 'Too many requests',
	not_found: 'Not found',
	unsupported_version: 'Cannot call unsupported API versions.',
};

export function fail(type: string, message?: string): Reply {
	return { status: ERROR_STATUS[type] ?? 400, body: { error: { type, message: message ?? DEFAULT_MESSAGES[type] ?? type } } };
}

export const ok = (body: unknown = {}): Reply => ({ status: 200, body });

/** The docs' texts for the accounts server's exceptions (authorization/troubleshooting, "Errors"). */
export const OAUTH_DESCRIPTIONS: Record<string, string> = {
	invalid_request:
		'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.',
	unauthorized_client: 'The client is not authorized to request a token using this method.',
	unsupported_response_type: 'The authorization server does not support obtaining a token using this method.',
	unsupported_grant_type: 'The authorization grant type is not supported by the authorization server.',
	invalid_grant:
		'The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
};

/**
 * The accounts server's error: 401 `{oauth_exception, exception_description}` (Customer Accounts
 * API spec: the only error answer of POST /token besides 500; shape also seen in
 * livechat/supervisor-app#5). UNCONFIRMED: `exception_details` in the body — the docs name these
 * details (client_id_not_found, invalid_redirect_uri, …) for the query string of redirect flows.
 */
export function oauthFail(exception: string, details?: string): Reply {
	const body: Record<string, unknown> = { oauth_exception: exception, exception_description: OAUTH_DESCRIPTIONS[exception] ?? exception };
	if (details) body.exception_details = details;
	return { status: 401, body };
}

export function cookiesOf(header: unknown): Record<string, string> {
	const cookies: Record<string, string> = {};
	for (const part of String(header ?? '').split(';')) {
		const [name, ...value] = part.trim().split('=');
		if (name) cookies[name] = value.join('=');
	}
	return cookies;
}

/** Set-Cookie as the docs' sample shows it. */
export function setCookie(name: string, value: string): string {
	const expires = new Date(Date.now() + COOKIE_MAX_AGE_SEC * 1000).toUTCString();
	return `${name}=${value}; Path=/v2/customer; Domain=accounts.livechat.com; Expires=${expires}; Max-Age=${COOKIE_MAX_AGE_SEC}; HttpOnly; Secure; SameSite=None`;
}

/** LiveChat's timestamps: RFC 3339 with microseconds, e.g. 2019-12-09T12:01:18.909000Z. */
export function nowStamp(): string {
	return new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export function upperId(length = 10): string {
	let id = '';
	for (let i = 0; i < length; i++) id += ALNUM[crypto.randomInt(0, ALNUM.length)];
	return id;
}
export function lowerId(length = 25): string {
	const chars = 'abcdefghijklmnopqrstuvwxyz0123456789';
	let id = '';
	for (let i = 0; i < length; i++) id += chars[crypto.randomInt(0, chars.length)];
	return id;
}
export const hex32 = (): string => crypto.randomBytes(16).toString('hex');
export const lastOf = <T>(list: T[]): T | undefined => list[list.length - 1];

export function readRaw(req: http.IncomingMessage, limit = MAX_UPLOAD_BYTES + 1024 * 1024): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > limit) {
				reject(new Error('body too large'));
				req.destroy();
				return;
			}
			chunks.push(chunk);
		});
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

/** The `file` part of a multipart/form-data body (enough for `upload_file`). */
export function parseMultipartFile(
	raw: Buffer,
	contentType: string,
): { name: string; contentType: string; data: Buffer } | undefined {
	const part = parseMultipart(raw, contentType)?.find((p) => p.name === 'file');
	if (!part) return undefined;
	return { name: part.filename ?? 'file', contentType: part.contentType ?? 'application/octet-stream', data: part.data };
}

import * as http from 'http';
import * as crypto from 'crypto';

import type { FaultInjection } from '../http';
import type { MultipartPart } from '../http';
import { parseMultipart as parseMultipartBody, readRaw as readRawBody } from '../http';

// The Slack simulator's records, constants and pure helpers, shared by its files.
// Sources: docs.slack.dev (Web API method pages, Events API, request signing) and the method
// reference of slack-ruby/slack-api-ref; anything not found there is marked "(inferred)".

export interface SlackSimulatorOptions {
	/** The bot token (xoxb-) of the app; Web API calls authenticate with it as `Authorization: Bearer`. */
	token?: string;
	/** The app's signing secret: every Events API request is signed with it. */
	signingSecret?: string;
	/** The deprecated verification token, sent as `token` in every event payload. */
	verificationToken?: string;
	teamId?: string;
	/** Workspace subdomain: `https://<domain>.slack.com/`. */
	teamDomain?: string;
	teamName?: string;
	appId?: string;
	botId?: string;
	botUserId?: string;
	botName?: string;
	/** Bot events the app subscribes to. Default message.channels, message.groups, reaction_added. */
	subscriptions?: string[];
	/** Multiplies the retry delays of event deliveries (0, 1 min, 5 min). 0.001 → 1000× faster. */
	timeScale?: number;
	/** Slack waits 3 s for a 2xx before it counts the attempt as `http_timeout`. Not scaled. */
	ackTimeoutMs?: number;
	/** Retries after the first attempt; Slack: 3. */
	maxRetries?: number;
	/** Where upload URLs and url_private point; Slack: https://files.slack.com. */
	filesOrigin?: string;
	faults?: SlackFaults;
}

/**
 * Injected failures (test controls, not platform behaviour). `rateLimit`: the next `calls` Web API
 * calls (of `methods`, or any) get Slack's 429; `random`: a share of calls refused at random.
 */
export interface SlackFaults {
	rateLimit?: { calls: number; methods?: string[]; /** null = no Retry-After header; default 1 */ retryAfterSec?: number | null };
	random?: FaultInjection;
}

export type ChannelType = 'public' | 'private';

export interface SlackUser {
	id: string;
	name: string;
	realName: string;
	email?: string;
	isBot: boolean;
	/** A user token (xoxp-) that acts as this user, if any. */
	token?: string;
}

export interface SlackChannel {
	id: string;
	name: string;
	type: ChannelType;
	created: number;
	archived: boolean;
	/** User ids; the bot must be one of them to post or to get the channel's events. */
	members: Set<string>;
	topic: string;
	purpose: string;
}

export interface SlackFile {
	id: string;
	name: string;
	title: string;
	mimetype: string;
	size: number;
	user: string;
	created: number;
	data: Buffer;
	/** Set once completeUploadExternal (or a user post) shared it. */
	shared: boolean;
}

/** A message as the simulator stores it (views are built from it: see state.ts). */
export interface MessageRecord {
	channel: string;
	ts: string;
	type: 'message';
	subtype?: string;
	user: string;
	text: string;
	botId?: string;
	clientMsgId?: string;
	blocks?: unknown[];
	attachments?: unknown[];
	/** The thread root's ts (replies only; roots get it in their view once they have replies). */
	threadTs?: string;
	/** A reply whose thread_ts matches no message: stored, but in no thread and no history. */
	ghost?: boolean;
	replyBroadcast?: boolean;
	files?: string[];
	username?: string;
	icons?: Record<string, string>;
	reactions: Array<{ name: string; users: string[] }>;
	edited?: { user: string; ts: string };
	extra?: Record<string, unknown>;
}

export interface SlackApiCall {
	at: number;
	host: string;
	httpMethod: string;
	path: string;
	/** `chat.postMessage`, …; `upload` / `file` for the files host. */
	apiMethod: string;
	headers: http.IncomingHttpHeaders;
	query: Record<string, string>;
	/** Arguments from the query and the body, merged (the way Slack reads them). */
	args: Record<string, unknown>;
	contentType?: string;
	status?: number;
	ok?: boolean;
	error?: string;
	/** Refused by fault injection, not by the platform. */
	injected?: boolean;
}

export interface SlackDeliveryAttempt {
	deliveryId: string;
	kind: 'event_callback' | 'url_verification';
	eventId?: string;
	/** `message`, `message/message_changed`, `reaction_added`, … */
	eventType?: string;
	url: string;
	/** 1 for the first attempt. */
	attempt: number;
	retryNum?: number;
	retryReason?: string;
	at: number;
	/** HTTP status, or null on a connection error / timeout. */
	status: number | null;
	error?: string;
	responseText?: string;
	/** The receiver answered `X-Slack-No-Retry: 1`. */
	noRetry?: boolean;
	headers: Record<string, string>;
	rawBody: string;
	body: any;
	retryInMs?: number;
	gaveUp?: boolean;
}

export interface UserPostOptions {
	/** Default: the first human user. */
	user?: string;
	threadTs?: string;
	/** Reply also shown in the channel (subtype thread_broadcast). */
	replyBroadcast?: boolean;
	files?: Array<{ name: string; mimetype?: string; title?: string; data: Buffer | string }>;
}

export interface Reply {
	status: number;
	body?: unknown;
	headers?: Record<string, string>;
	/** Raw answer instead of JSON (file host). */
	raw?: { contentType: string; data: Buffer | string };
}

export interface ApiContext {
	actor: SlackUser;
	args: Record<string, any>;
	call: SlackApiCall;
}

export const DEFAULTS = {
	token: 'xoxb-1000000001-2000000002-simulatorBotToken',
	signingSecret: 'sim-signing-secret-0123456789abcdef',
	verificationToken: 'simVerificationToken000',
	teamId: 'T0SIMTEAM1',
	teamDomain: 'sim-workspace',
	teamName: 'Simulated Workspace',
	appId: 'A0SIMAPP01',
	botId: 'B0SIMBOT01',
	botUserId: 'U0SIMBOT01',
	botName: 'handoff-bot',
	subscriptions: ['message.channels', 'message.groups', 'reaction_added'],
	filesOrigin: 'https://files.slack.com',
};

/** Events API: up to 3 retries, "nearly immediately, then after 1 minute, then after 5 minutes" (each counted from the failed attempt: inferred). */
export const RETRY_DELAYS_MS = [0, 60_000, 300_000];

export const ok = (body: Record<string, unknown> = {}): Reply => ({ status: 200, body: { ok: true, ...body } });
/** Slack answers method errors with HTTP 200 and `{ok: false, error}`. */
export const fail = (error: string, extra: Record<string, unknown> = {}): Reply => ({
	status: 200,
	body: { ok: false, error, ...extra },
});
/** `invalid_arguments` with Slack's `[ERROR] missing required field: x` detail. */
export const missingArg = (name: string): Reply =>
	fail('invalid_arguments', { response_metadata: { messages: [`[ERROR] missing required field: ${name}`] } });

/** Slack-style ids: a prefix and upper-case alphanumerics. */
export function slackId(prefix: string, length = 10): string {
	const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
	return prefix + Array.from(crypto.randomBytes(length), (b) => abc[b % abc.length]).join('');
}

/** "1733222222.000100" → microseconds; undefined when not a Slack timestamp. */
export function tsToMicros(value: unknown): bigint | undefined {
	const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
	const m = /^(\d+)(?:\.(\d{1,6}))?$/.exec(text);
	if (!m) return undefined;
	return BigInt(m[1]) * 1_000_000n + BigInt((m[2] ?? '').padEnd(6, '0'));
}

export function microsToTs(micros: bigint): string {
	return `${micros / 1_000_000n}.${String(micros % 1_000_000n).padStart(6, '0')}`;
}

/** The `v0=` signature of an Events API request: hex HMAC-SHA256 of `v0:<ts>:<raw body>`. */
export function slackSignature(secret: string, timestamp: number | string, rawBody: string): string {
	return `v0=${crypto.createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

/** Up to 50 MB: Slack's file uploads go through the same reader. */
export const readRaw = (req: http.IncomingMessage, limit = 50 * 1024 * 1024): Promise<Buffer> => readRawBody(req, limit);


/** All parts of a multipart/form-data body (none when it is not one). */
export function parseMultipart(raw: Buffer, contentType: string): MultipartPart[] {
	return parseMultipartBody(raw, contentType) ?? [];
}

/** Slack's `true`: `true`, `1`, `"true"`, `"1"`. */
export function truthy(value: unknown): boolean {
	return value === true || value === 1 || value === 'true' || value === '1';
}

/** JSON arrays may arrive as arrays (JSON body) or as JSON strings (form and query arguments). */
export function jsonArg(value: unknown): unknown {
	if (typeof value !== 'string') return value;
	try {
		return JSON.parse(value);
	} catch {
		return undefined;
	}
}

/** Opaque pagination cursor (Slack's are base64 too, e.g. `dXNlcjpVMDYxTkZUVDI=`). */
export function encodeCursor(offset: number): string {
	return Buffer.from(`next:${offset}`).toString('base64');
}

export function decodeCursor(cursor: unknown): number | undefined | 'invalid' {
	if (cursor === undefined || cursor === '') return undefined;
	const m = /^next:(\d+)$/.exec(Buffer.from(String(cursor), 'base64').toString('utf8'));
	return m ? Number(m[1]) : 'invalid';
}

/** The rich_text block Slack adds to a plain-text message (inferred: no mrkdwn parsing here). */
export function richTextBlocks(text: string): unknown[] {
	return [
		{
			type: 'rich_text',
			block_id: crypto.randomBytes(3).toString('base64url'),
			elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text }] }],
		},
	];
}

import * as http from 'http';
import * as crypto from 'crypto';

import { isObject } from '../http';
import type { FaultInjection } from '../http';

// The Tiledesk simulator's records, constants and pure helpers, shared by its files.

export type TiledeskRole = 'owner' | 'admin' | 'supervisor' | 'agent' | 'teammate' | 'user' | 'guest';

export interface TiledeskSimulatorOptions {
	/** Reliability tests: refuse a share of API calls with 429/5xx before they reach the platform (see FaultInjection). */
	faults?: FaultInjection;
	/** 0 (default) = a random free port. */
	port?: number;
	host?: string;
	/** Multiplies every delay (webhook retry backoff, chat-engine round trip). */
	timeScale?: number;
	/** Secret for the JWTs the simulator issues. Random by default. */
	jwtSecret?: string;
	/** How long one webhook attempt may take before it counts as a connection error. Not scaled. */
	hookTimeoutMs?: number;
	/** retry-request adds 0–1 s of random jitter to each retry delay; false = no jitter. */
	retryJitter?: boolean;
	/**
	 * tiledesk-server models/subscription.js declares `secret: {default: uuidv4()}`, evaluated once
	 * when the module loads: every subscription one server process creates, in every project, gets
	 * the same secret. true (default) reproduces that, one secret per simulator (= server process);
	 * false gives each subscription a secret of its own.
	 */
	shareSubscriptionSecret?: boolean;
	/** Self-hosted servers only deliver webhooks when RESTHOOK_ENABLED=true (sheet). */
	resthookEnabled?: boolean;
	/** `Origin` header of webhook deliveries (upstream: WEBHOOK_ORIGIN, default http://localhost:3000). */
	webhookOrigin?: string;
	/** Time the chat engine takes to mark a message received (then `\agent` / `\close` run). */
	engineDelayMs?: number;
}

export interface TiledeskUser {
	_id: string;
	email: string;
	firstname: string;
	lastname: string;
	emailverified: boolean;
	createdAt: string;
	updatedAt: string;
}

export interface UserRecord extends TiledeskUser {
	password: string;
}

export interface GuestRecord {
	_id: string;
	firstname: string;
	lastname?: string;
	email?: string;
	attributes?: unknown;
}

export interface TiledeskProject {
	_id: string;
	name: string;
	createdAt: string;
	updatedAt: string;
	/** models/project.js: operating hours switched on (false for a new project). */
	activeOperatingHours?: boolean;
	/** models/project.js: JSON text `{"tzname": "Europe/Rome", "1": [{"start": "09:00", "end": "18:00"}], …}`, days 0 = Sunday. */
	operatingHours?: string;
}

export interface TiledeskProjectUser {
	_id: string;
	id_project: string;
	id_user?: string;
	uuid_user?: string;
	role: TiledeskRole;
	/** 1 = agents (owner, admin, supervisor, agent), 2 = users (user, guest). */
	roleType: 1 | 2;
	user_available: boolean;
	status: 'active' | 'disabled';
	createdAt: string;
	updatedAt: string;
}

export interface TiledeskDepartment {
	_id: string;
	id_project: string;
	name: string;
	routing: 'assigned' | 'pooled' | 'fixed';
	default: boolean;
	status: number;
	id_bot?: string | null;
	/** models/department.js: the group whose members take the department's conversations; none: all agents. */
	id_group?: string | null;
	createdAt: string;
	updatedAt: string;
}

/** models/group.js: a team of agents (`members` are user ids). */
export interface TiledeskGroup {
	_id: string;
	id_project: string;
	name: string;
	members: string[];
	enabled: boolean;
	createdAt: string;
	updatedAt: string;
}

export interface TiledeskBot {
	_id: string;
	id_project: string;
	name: string;
	type: string;
	createdAt: string;
}

export interface LeadRecord {
	_id: string;
	lead_id: string;
	fullname?: string;
	email?: string;
	attributes?: unknown;
	id_project: string;
	createdBy: string;
	status: number;
	createdAt: string;
	updatedAt: string;
}

export interface RequestRecord {
	_id: string;
	request_id: string;
	id_project: string;
	requester: string;
	lead: string;
	first_text?: string;
	subject?: string;
	status: number;
	preflight: boolean;
	hasBot: boolean;
	participants: string[];
	participantsAgents: string[];
	participantsBots: string[];
	department?: string;
	assigned_at?: string;
	waiting_time?: number;
	first_response_at?: string;
	closed_at?: string;
	closed_by?: string;
	duration?: number;
	transcript?: string;
	sourcePage?: string;
	language?: string;
	userAgent?: string;
	channel: { name: string };
	channelOutbound: { name: string };
	attributes: Record<string, unknown>;
	priority: string;
	followers: string[];
	tags: unknown[];
	notes: unknown[];
	location?: unknown;
	createdBy: string;
	createdAt: string;
	updatedAt: string;
	/** Agent ids known when the request was routed (upstream snapshot.agents, not returned). */
	snapshotAgents: string[];
	/** Creation order, to break ties between equal `createdAt` (not returned). */
	seq: number;
}

export interface TiledeskMessage {
	_id: string;
	sender: string;
	senderFullname: string;
	recipient: string;
	type: string;
	channel_type: string;
	text?: string;
	language?: string;
	channel: { name: string };
	id_project: string;
	status: number;
	attributes?: Record<string, unknown>;
	metadata?: Record<string, unknown>;
	createdBy: string;
	createdAt: string;
	updatedAt: string;
	__v: number;
}

/**
 * tiledesk-server models/subscription.js. Every field but the timestamps may be missing: a PUT to
 * an unknown id creates (upserts) a subscription with only the fields of its body.
 */
export interface SubscriptionRecord {
	_id: string;
	event?: string;
	target?: string;
	id_project?: string;
	/** `select: false`: answered only by POST, never by GET or PUT. */
	secret?: string;
	/** `select: false`; a global subscription receives the event of every project. */
	global?: boolean;
	createdBy?: string;
	createdAt: string;
	updatedAt: string;
}

/** A subscription the notifier can deliver: all it needs is there. */
export type DeliverableSubscription = SubscriptionRecord & { event: string; target: string; secret: string };

/** The string fields a PUT body may set (models/subscription.js; strict: other keys are dropped). */
export const SUBSCRIPTION_STRING_FIELDS = ['event', 'target', 'secret', 'id_project', 'createdBy'] as const;

export interface TiledeskApiCall {
	/** Refused by fault injection, not by the platform. */
	injected?: boolean;
	at: number;
	method: string;
	path: string;
	query: Record<string, string>;
	headers: http.IncomingHttpHeaders;
	body: unknown;
	status?: number;
}

export interface TiledeskDeliveryAttempt {
	deliveryId: string;
	subscriptionId: string;
	event: string;
	target: string;
	attempt: number;
	at: number;
	status: number | null;
	error?: string;
	headers: Record<string, string>;
	body: any;
	retryInMs?: number;
	gaveUp?: boolean;
}

export interface AuthUser {
	_id: string;
	email?: string;
	firstname?: string;
	lastname?: string;
	guest: boolean;
	/** Logged in as a subscription (a JWT signed with its secret, middleware/passport.js `sub: subscription`). */
	subscription?: boolean;
}

export interface Reply {
	status: number;
	body?: unknown;
	text?: string;
	headers?: Record<string, string>;
}

export interface Ctx {
	params: Record<string, string>;
	query: Record<string, string>;
	body: any;
	auth: AuthUser;
	pu: TiledeskProjectUser | undefined;
	headers: http.IncomingHttpHeaders;
}

export interface RouteDef {
	/**
	 * 'public': no auth; otherwise the minimum role (null = any member of the project), and whether
	 * a subscription's login passes too (middleware/has-role.js hasRoleOrTypes(role, ['subscription'])).
	 */
	access: 'public' | { role: TiledeskRole | null; subscription?: boolean };
	handler: (ctx: Ctx) => Reply;
}

/** models/requestConstants.js (sheet: Requests statuses). */
export const REQUEST_STATUS = { TEMP: 50, UNASSIGNED: 100, ABANDONED: 150, ASSIGNED: 200, SERVED: 300, CLOSED: 1000 };
/** models/messageConstants.js (sheet: Message status). */
export const MESSAGE_STATUS = { FAILED: -100, SENDING: 0, SENT: 100, DELIVERED: 150, RECEIVED: 200, SEEN: 300 };

/** middleware/has-role.js: which roles each role includes. */
export const ROLE_INCLUDES: Record<TiledeskRole, TiledeskRole[]> = {
	guest: ['guest'],
	user: ['guest', 'user'],
	teammate: ['guest', 'user', 'teammate'],
	agent: ['guest', 'user', 'teammate', 'agent'],
	supervisor: ['guest', 'user', 'teammate', 'agent', 'supervisor'],
	admin: ['guest', 'user', 'teammate', 'agent', 'supervisor', 'admin'],
	owner: ['guest', 'user', 'teammate', 'agent', 'supervisor', 'admin', 'owner'],
};

/**
 * services/subscriptionNotifier.js posts through `retry-request` (4.x) with its defaults:
 * 2 retries on 1xx / 429 / 5xx answers and 2 on connection errors, waiting 2^n s + 0–1 s jitter
 * (n = 1, 2). Other 4xx answers are not retried. So at most 3 attempts, ~2–3 s then ~4–5 s apart.
 * CHOICE: we cap a mix of errors and 5xx at 3 attempts as well.
 */
export const HOOK_MAX_ATTEMPTS = 3;
export const hookShouldRetry = (status: number | null): boolean =>
	status === null || status < 200 || status === 429 || (status >= 500 && status <= 599);

export const UNAUTHORIZED: Reply = { status: 401, text: 'Unauthorized', headers: { 'WWW-Authenticate': 'Basic realm="Users"' } };
export const NOT_MEMBER: Reply = { status: 403, body: { success: false, msg: 'you dont belong to the project.' } };
export const WRONG_ROLE: Reply = { status: 403, body: { success: false, msg: 'you dont have the required role.' } };
export const OBJECT_NOT_FOUND: Reply = { status: 404, body: { success: false, msg: 'Object not found.' } };
export const ok = (body: unknown): Reply => ({ status: 200, body });

export function nowIso(): string {
	return new Date().toISOString();
}

export function base64url(input: string | Buffer): string {
	return Buffer.from(input).toString('base64url');
}

/** HS256 JWT, as jsonwebtoken would make it. */
export function signJwt(payload: Record<string, unknown>, secret: string, claims: Record<string, unknown>): string {
	const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
	const body = base64url(JSON.stringify({ ...payload, iat: Math.floor(Date.now() / 1000), ...claims }));
	const signature = crypto.createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url');
	return `${header}.${body}.${signature}`;
}

export function verifyJwt(token: string, secret: string): Record<string, any> | undefined {
	const parts = token.split('.');
	if (parts.length !== 3) return undefined;
	const expected = crypto.createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest();
	const given = Buffer.from(parts[2], 'base64url');
	if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return undefined;
	try {
		const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
		if (typeof payload.exp === 'number' && payload.exp * 1000 < Date.now()) return undefined;
		return payload;
	} catch {
		return undefined;
	}
}

/** The payload of a JWT without checking it (passport reads `aud` first to pick the secret). */
export function decodeJwt(token: string): Record<string, any> | undefined {
	const parts = token.split('.');
	if (parts.length !== 3) return undefined;
	try {
		const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
		return isObject(payload) ? payload : undefined;
	} catch {
		return undefined;
	}
}

/** `aud` → [AudienceType, AudienceId] as middleware/passport.js splits its path. */
export function audienceOf(aud: unknown): [string | undefined, string | undefined] | undefined {
	if (typeof aud !== 'string' || aud === '') return undefined;
	try {
		const parts = new URL(aud).pathname.split('/');
		return [parts[1] || undefined, parts[2] || undefined];
	} catch {
		return undefined;
	}
}

/** Roles for which signinWithCustomToken makes (or finds) a real user by e-mail (routes/auth.js). */
export const CUSTOM_TOKEN_AGENT_ROLES: TiledeskRole[] = ['owner', 'admin', 'agent'];

export function fullName(u: { firstname?: string; lastname?: string } | undefined): string | undefined {
	if (!u) return undefined;
	const name = `${u.firstname ?? ''} ${u.lastname ?? ''}`.trim();
	return name === '' ? undefined : name;
}

export const isEmail = (value: unknown): boolean => typeof value === 'string' && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);

/** bson ObjectId.isValid: 24 hex digits, or any 12 characters; anything else is a CastError (500) in a lookup by id. */
export const isObjectId = (value: string): boolean => /^[0-9a-fA-F]{24}$/.test(value) || value.length === 12;

/** mongoose 5 Boolean casting (lib/cast/boolean.js): these values, or a CastError. */
export function castBoolean(value: unknown): boolean | undefined {
	if ([true, 'true', 1, '1', 'yes'].includes(value as never)) return true;
	if ([false, 'false', 0, '0', 'no'].includes(value as never)) return false;
	return undefined;
}

/**
 * What a PUT body sets, as mongoose 5 casts an update (lib/query.js castUpdate, strict schema):
 * keys outside the schema are dropped, String paths take text (numbers and booleans become text),
 * an object or array is a CastError (undefined here, 500 upstream).
 * UNCONFIRMED: null is stored as null upstream; here it removes the field. _id, createdAt and
 * updatedAt from the body are ignored (timestamps set updatedAt themselves).
 */
export function subscriptionChanges(body: unknown): Partial<SubscriptionRecord> | undefined {
	const changes: Partial<SubscriptionRecord> = {};
	// UNCONFIRMED: a body that is not an object updates nothing.
	if (!isObject(body)) return changes;
	for (const field of SUBSCRIPTION_STRING_FIELDS) {
		if (!(field in body)) continue;
		const value = body[field];
		if (value === null) changes[field] = undefined;
		else if (['string', 'number', 'boolean'].includes(typeof value)) changes[field] = String(value);
		else return undefined;
	}
	if ('global' in body) {
		const global = body.global === null ? false : castBoolean(body.global);
		if (global === undefined) return undefined;
		changes.global = global;
	}
	return changes;
}

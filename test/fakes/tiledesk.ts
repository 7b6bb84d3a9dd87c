/**
 * Tiledesk simulator: auth, requests (conversations), messages, departments, project users and
 * REST-hook subscriptions, as described in the project's Tiledesk fact sheet ("the sheet") and,
 * where the sheet is silent, as the open-source server does it (Tiledesk/tiledesk-server 2.19:
 * routes/request.js, routes/message.js, routes/subscription.js, services/requestService.js,
 * services/subscriptionNotifier*.js, pubmodules/messageActions, pubmodules/rules/conciergeBot.js).
 * Citations below name those files (`tiledesk-server <path>`); nothing is copied from them. What
 * the code does not show is marked UNCONFIRMED. docs/platforms/tiledesk.md lists the facts the
 * nodes rely on, with their sources.
 *
 * `baseUrl` is the API root (the `/v3` of the cloud URL is just a path prefix there).
 * Control API (no auth): methods on the class and HTTP routes under `/_control/...`.
 */
import * as http from 'http';
import * as crypto from 'crypto';
import {
	Outbox,
	Router,
	Timers,
	clone,
	close,
	isObject,
	listen,
	objectId,
	parseJsonBody,
	queryOf,
	readBody,
	sendJson,
	sendText,
	waitFor,
} from './http';
import type { FaultInjection } from './http';
import { injectedFault } from './http';

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

interface UserRecord extends TiledeskUser {
	password: string;
}

interface GuestRecord {
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

interface LeadRecord {
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

interface RequestRecord {
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
interface SubscriptionRecord {
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
type DeliverableSubscription = SubscriptionRecord & { event: string; target: string; secret: string };

/** The string fields a PUT body may set (models/subscription.js; strict: other keys are dropped). */
const SUBSCRIPTION_STRING_FIELDS = ['event', 'target', 'secret', 'id_project', 'createdBy'] as const;

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

interface AuthUser {
	_id: string;
	email?: string;
	firstname?: string;
	lastname?: string;
	guest: boolean;
	/** Logged in as a subscription (a JWT signed with its secret, middleware/passport.js `sub: subscription`). */
	subscription?: boolean;
}

interface Reply {
	status: number;
	body?: unknown;
	text?: string;
	headers?: Record<string, string>;
}

interface Ctx {
	params: Record<string, string>;
	query: Record<string, string>;
	body: any;
	auth: AuthUser;
	pu: TiledeskProjectUser | undefined;
	headers: http.IncomingHttpHeaders;
}

interface RouteDef {
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
const ROLE_INCLUDES: Record<TiledeskRole, TiledeskRole[]> = {
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
const HOOK_MAX_ATTEMPTS = 3;
const hookShouldRetry = (status: number | null): boolean =>
	status === null || status < 200 || status === 429 || (status >= 500 && status <= 599);

const UNAUTHORIZED: Reply = { status: 401, text: 'Unauthorized', headers: { 'WWW-Authenticate': 'Basic realm="Users"' } };
const NOT_MEMBER: Reply = { status: 403, body: { success: false, msg: 'you dont belong to the project.' } };
const WRONG_ROLE: Reply = { status: 403, body: { success: false, msg: 'you dont have the required role.' } };
const OBJECT_NOT_FOUND: Reply = { status: 404, body: { success: false, msg: 'Object not found.' } };
const ok = (body: unknown): Reply => ({ status: 200, body });

function nowIso(): string {
	return new Date().toISOString();
}

function base64url(input: string | Buffer): string {
	return Buffer.from(input).toString('base64url');
}

/** HS256 JWT, as jsonwebtoken would make it. */
function signJwt(payload: Record<string, unknown>, secret: string, claims: Record<string, unknown>): string {
	const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
	const body = base64url(JSON.stringify({ ...payload, iat: Math.floor(Date.now() / 1000), ...claims }));
	const signature = crypto.createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url');
	return `${header}.${body}.${signature}`;
}

function verifyJwt(token: string, secret: string): Record<string, any> | undefined {
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
function decodeJwt(token: string): Record<string, any> | undefined {
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
function audienceOf(aud: unknown): [string | undefined, string | undefined] | undefined {
	if (typeof aud !== 'string' || aud === '') return undefined;
	try {
		const parts = new URL(aud).pathname.split('/');
		return [parts[1] || undefined, parts[2] || undefined];
	} catch {
		return undefined;
	}
}

/** Roles for which signinWithCustomToken makes (or finds) a real user by e-mail (routes/auth.js). */
const CUSTOM_TOKEN_AGENT_ROLES: TiledeskRole[] = ['owner', 'admin', 'agent'];

function fullName(u: { firstname?: string; lastname?: string } | undefined): string | undefined {
	if (!u) return undefined;
	const name = `${u.firstname ?? ''} ${u.lastname ?? ''}`.trim();
	return name === '' ? undefined : name;
}

const isEmail = (value: unknown): boolean => typeof value === 'string' && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);

/** bson ObjectId.isValid: 24 hex digits, or any 12 characters; anything else is a CastError (500) in a lookup by id. */
const isObjectId = (value: string): boolean => /^[0-9a-fA-F]{24}$/.test(value) || value.length === 12;

/** mongoose 5 Boolean casting (lib/cast/boolean.js): these values, or a CastError. */
function castBoolean(value: unknown): boolean | undefined {
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
function subscriptionChanges(body: unknown): Partial<SubscriptionRecord> | undefined {
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

export class TiledeskSimulator {
	private options: Required<TiledeskSimulatorOptions>;
	private server: http.Server | undefined;
	private port = 0;
	private router = new Router<RouteDef>();
	private timers = new Timers();
	private outbox = new Outbox();
	private stopped = false;
	/** tiledesk-server models/subscription.js: the `uuidv4()` default, drawn once per server process (kept by reset()). */
	private processSecret = crypto.randomUUID();

	private users = new Map<string, UserRecord>();
	private guests = new Map<string, GuestRecord>();
	private projects = new Map<string, TiledeskProject>();
	/** models/project.js `jwtSecret` (select: false): the project's shared secret; none until generated. */
	private projectSecrets = new Map<string, string>();
	private projectUsers: TiledeskProjectUser[] = [];
	private departments = new Map<string, TiledeskDepartment>();
	private bots = new Map<string, TiledeskBot>();
	private leads: LeadRecord[] = [];
	private requests = new Map<string, RequestRecord>();
	private messages = new Map<string, TiledeskMessage[]>();
	private subscriptions: SubscriptionRecord[] = [];
	private calls: TiledeskApiCall[] = [];
	private attempts: TiledeskDeliveryAttempt[] = [];
	private pendingDeliveries = 0;
	private pendingEngine = 0;
	private requestSeq = 0;

	constructor(options: TiledeskSimulatorOptions = {}) {
		this.options = this.resolveOptions(options);
		this.registerRoutes();
	}

	async start(options: TiledeskSimulatorOptions = {}): Promise<this> {
		if (Object.keys(options).length > 0) this.options = this.resolveOptions({ ...this.options, ...options });
		this.stopped = false;
		this.server = http.createServer((req, res) => {
			this.handle(req, res).catch((err) => {
				sendJson(res, 500, { success: false, msg: `Simulator error: ${String(err?.message ?? err)}` });
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
		this.pendingEngine = 0;
		if (this.server) await close(this.server);
		this.server = undefined;
	}

	/** API root, e.g. `http://127.0.0.1:4502` (project routes are `/{project_id}/...`). */
	get baseUrl(): string {
		return `http://${this.options.host}:${this.port}`;
	}

	get controlUrl(): string {
		return `${this.baseUrl}/_control`;
	}

	static readonly controlRoutes = [
		'GET    /_control                                  this list',
		'POST   /_control/reset                            forget everything',
		'POST   /_control/projects                         {name} → project, default department, owner {email, password}?',
		'POST   /_control/projects/:pid/agents             {email, password, firstname?, lastname?, role?, available?}',
		'PATCH  /_control/projects/:pid/agents/:userId     {available}',
		'POST   /_control/projects/:pid/departments        {name, routing?, id_bot?}',
		'POST   /_control/projects/:pid/bots               {name}',
		'GET    /_control/requests                         all requests',
		'GET    /_control/requests/:rid                    one request (populated)',
		'GET    /_control/requests/:rid/messages           its messages',
		'POST   /_control/requests/:rid/agent_says         {agentId, text, attributes?}',
		'POST   /_control/requests/:rid/user_says          {text}',
		'POST   /_control/requests/:rid/agent_joins        {agentId}',
		'POST   /_control/requests/:rid/close              {agentId?}',
		'GET    /_control/calls                            recorded API calls',
		'GET    /_control/deliveries                       webhook delivery attempts',
		'POST   /_control/projects/:pid/shared_secret      {secret?} → {secret}: set (or generate) the project\'s shared secret',
		'GET    /_control/subscriptions                    REST-hook subscriptions, with their secrets',
	];

	// ---------------------------------------------------------------- control API (methods)

	/** A project with its default department (routing `assigned`), optionally with an owner. */
	createProject(input: {
		name: string;
		id?: string;
		owner?: { email: string; password: string; firstname?: string; lastname?: string };
	}): { project: TiledeskProject; department: TiledeskDepartment; owner?: TiledeskUser } {
		const now = nowIso();
		const project: TiledeskProject = { _id: input.id ?? objectId(), name: input.name, createdAt: now, updatedAt: now };
		this.projects.set(project._id, project);
		const department = this.createDepartment(project._id, { name: 'Default Department', routing: 'assigned', default: true });
		let owner: TiledeskUser | undefined;
		if (input.owner) {
			owner = this.createAgent(project._id, { ...input.owner, role: 'owner', available: false }).user;
		}
		return { project: { ...project }, department, owner };
	}

	createUser(input: { email: string; password: string; firstname?: string; lastname?: string }): TiledeskUser {
		const email = input.email.toLowerCase();
		const existing = [...this.users.values()].find((u) => u.email === email);
		if (existing) return this.userJson(existing);
		const now = nowIso();
		const user: UserRecord = {
			_id: objectId(),
			email,
			password: input.password,
			firstname: input.firstname ?? email.split('@')[0],
			lastname: input.lastname ?? '',
			emailverified: true,
			createdAt: now,
			updatedAt: now,
		};
		this.users.set(user._id, user);
		return this.userJson(user);
	}

	addProjectUser(projectId: string, userId: string, role: TiledeskRole, available = true): TiledeskProjectUser {
		this.requireProject(projectId);
		const now = nowIso();
		const existing = this.projectUsers.find((pu) => pu.id_project === projectId && pu.id_user === userId);
		if (existing) {
			existing.role = role;
			existing.roleType = ['user', 'guest'].includes(role) ? 2 : 1;
			existing.user_available = available;
			return { ...existing };
		}
		const pu: TiledeskProjectUser = {
			_id: objectId(),
			id_project: projectId,
			id_user: userId,
			role,
			roleType: ['user', 'guest'].includes(role) ? 2 : 1,
			user_available: available,
			status: 'active',
			createdAt: now,
			updatedAt: now,
		};
		this.projectUsers.push(pu);
		return { ...pu };
	}

	/** A user who is a member of the project (default role `agent`, available). */
	createAgent(
		projectId: string,
		input: {
			email: string;
			password: string;
			firstname?: string;
			lastname?: string;
			role?: TiledeskRole;
			available?: boolean;
		},
	): { user: TiledeskUser; project_user: TiledeskProjectUser } {
		const user = this.createUser(input);
		const project_user = this.addProjectUser(projectId, user._id, input.role ?? 'agent', input.available ?? true);
		return { user, project_user };
	}

	setAgentAvailability(projectId: string, userId: string, available: boolean): void {
		const pu = this.projectUsers.find((p) => p.id_project === projectId && p.id_user === userId);
		if (!pu) throw new Error(`user ${userId} is not a member of project ${projectId}`);
		pu.user_available = available;
		pu.updatedAt = nowIso();
	}

	createDepartment(
		projectId: string,
		input: { name: string; routing?: TiledeskDepartment['routing']; id_bot?: string | null; default?: boolean },
	): TiledeskDepartment {
		this.requireProject(projectId);
		const now = nowIso();
		const department: TiledeskDepartment = {
			_id: objectId(),
			id_project: projectId,
			name: input.name,
			routing: input.routing ?? 'assigned',
			default: input.default ?? false,
			status: 1,
			id_bot: input.id_bot ?? null,
			createdAt: now,
			updatedAt: now,
		};
		this.departments.set(department._id, department);
		return { ...department };
	}

	/** A bot; it answers nothing, it only exists as participant `bot_<_id>` and department bot. */
	createBot(projectId: string, input: { name: string }): TiledeskBot {
		this.requireProject(projectId);
		const bot: TiledeskBot = { _id: objectId(), id_project: projectId, name: input.name, type: 'internal', createdAt: nowIso() };
		this.bots.set(bot._id, bot);
		return { ...bot };
	}

	/**
	 * Sets the project's shared secret (dashboard: Project Settings → Visitor Authentication →
	 * Generate), with which custom visitor tokens for `/auth/signinWithCustomToken` are signed.
	 * Without `secret` a new random one is generated, as the dashboard does. Projects have none
	 * until then (models/project.js `jwtSecret` has no default). Returns the secret.
	 */
	setProjectSecret(projectId: string, secret?: string): string {
		this.requireProject(projectId);
		const value = secret ?? crypto.randomUUID();
		if (value === '') throw new Error('the shared secret cannot be empty');
		this.projectSecrets.set(projectId, value);
		return value;
	}

	/** Reliability tests: from now on refuse this share of API calls (see FaultInjection); `{rate: 0}` stops. */
	setFaults(faults: FaultInjection): void {
		this.options.faults = faults;
	}

	getProjectSecret(projectId: string): string | undefined {
		return this.projectSecrets.get(projectId);
	}

	/** REST-hook subscriptions (with their secrets, which Tiledesk's own list does not show). */
	listSubscriptions(projectId?: string): Array<Record<string, unknown>> {
		return this.subscriptions
			.filter((s) => projectId === undefined || s.id_project === projectId)
			.map((s) => this.subscriptionJson(s, true));
	}

	setDepartmentBot(departmentId: string, botId: string | null): void {
		const dep = this.departments.get(departmentId);
		if (!dep) throw new Error(`unknown department ${departmentId}`);
		dep.id_bot = botId;
	}

	/** The agent writes in the conversation from the agent console (fires message.create). */
	agentSays(
		requestId: string,
		agentId: string,
		input: string | { text: string; type?: string; metadata?: Record<string, unknown>; attributes?: Record<string, unknown> },
	): TiledeskMessage {
		const r = this.requireRequest(requestId);
		const user = this.users.get(agentId);
		if (!user) throw new Error(`unknown agent ${agentId}`);
		const body = typeof input === 'string' ? { text: input } : input;
		const message = this.addMessage(r, {
			sender: agentId,
			senderFullname: fullName(user) ?? user.email,
			text: body.text,
			type: body.type,
			metadata: body.metadata,
			attributes: body.attributes,
			createdBy: agentId,
		});
		// routes/message.js: a participant writing sets the first response / waiting time.
		if (r.participants.includes(agentId)) this.updateWaitingTime(r);
		return clone(message);
	}

	/** The end user (the request's lead) writes in the widget. */
	userSays(requestId: string, text: string): TiledeskMessage {
		const r = this.requireRequest(requestId);
		const lead = this.leads.find((l) => l._id === r.lead)!;
		return clone(
			this.addMessage(r, { sender: lead.lead_id, senderFullname: lead.fullname ?? 'Guest', text, createdBy: lead.lead_id }),
		);
	}

	/** The agent joins the conversation from the console (POST participants). */
	agentJoins(requestId: string, agentId: string): Record<string, unknown> {
		const r = this.requireRequest(requestId);
		this.addParticipant(r, agentId);
		return this.requestJson(r);
	}

	/** The agent closes the conversation from the console. */
	agentCloses(requestId: string, agentId?: string): Record<string, unknown> {
		const r = this.requireRequest(requestId);
		this.closeRequest(r, agentId ?? 'system');
		return this.requestJson(r);
	}

	getRequest(requestId: string): Record<string, unknown> | undefined {
		const r = this.findRequestAnywhere(requestId);
		return r ? this.requestJson(r) : undefined;
	}

	listRequests(projectId?: string): Array<Record<string, unknown>> {
		return [...this.requests.values()]
			.filter((r) => projectId === undefined || r.id_project === projectId)
			.map((r) => this.requestJson(r));
	}

	/** Messages of a request, oldest first. */
	getMessages(requestId: string): TiledeskMessage[] {
		const r = this.findRequestAnywhere(requestId);
		return r ? clone(this.messagesOf(r)) : [];
	}

	getCalls(): TiledeskApiCall[] {
		return clone(this.calls);
	}

	getDeliveries(): TiledeskDeliveryAttempt[] {
		return clone(this.attempts);
	}

	/** Resolves when no webhook delivery or chat-engine step is pending. */
	async idle(timeoutMs = 10000): Promise<void> {
		await waitFor(() => this.pendingDeliveries === 0 && this.pendingEngine === 0, timeoutMs);
	}

	reset(): void {
		this.timers.clearAll();
		this.outbox.abortAll();
		this.pendingDeliveries = 0;
		this.pendingEngine = 0;
		this.users.clear();
		this.guests.clear();
		this.projects.clear();
		this.projectSecrets.clear();
		this.projectUsers = [];
		this.departments.clear();
		this.bots.clear();
		this.leads = [];
		this.requests.clear();
		this.messages.clear();
		this.subscriptions = [];
		this.calls = [];
		this.attempts = [];
	}

	/** A ready-to-use project for people trying the simulator (used by start.ts). */
	seedDemo(): {
		project: TiledeskProject;
		owner: { email: string; password: string; _id: string };
		agents: Array<{ email: string; password: string; _id: string }>;
	} {
		const { project, owner } = this.createProject({
			name: 'Demo project',
			owner: { email: 'owner@example.com', password: 'owner-password', firstname: 'Olivia', lastname: 'Owner' },
		});
		const a1 = this.createAgent(project._id, { email: 'agent1@example.com', password: 'agent-password', firstname: 'Alice', lastname: 'Agent' });
		const a2 = this.createAgent(project._id, { email: 'agent2@example.com', password: 'agent-password', firstname: 'Bob', lastname: 'Agent', available: false });
		return {
			project,
			owner: { email: 'owner@example.com', password: 'owner-password', _id: owner!._id },
			agents: [
				{ email: 'agent1@example.com', password: 'agent-password', _id: a1.user._id },
				{ email: 'agent2@example.com', password: 'agent-password', _id: a2.user._id },
			],
		};
	}

	// ---------------------------------------------------------------- internals: lookups and JSON

	private resolveOptions(options: TiledeskSimulatorOptions): Required<TiledeskSimulatorOptions> {
		return {
			port: options.port ?? 0,
			host: options.host ?? '127.0.0.1',
			timeScale: options.timeScale ?? 1,
			jwtSecret: options.jwtSecret ?? crypto.randomBytes(24).toString('hex'),
			hookTimeoutMs: options.hookTimeoutMs ?? 30000,
			faults: options.faults ?? { rate: 0 },
			retryJitter: options.retryJitter ?? true,
			shareSubscriptionSecret: options.shareSubscriptionSecret ?? true,
			resthookEnabled: options.resthookEnabled ?? true,
			webhookOrigin: options.webhookOrigin ?? 'http://localhost:3000',
			engineDelayMs: options.engineDelayMs ?? 20,
		};
	}

	private requireProject(projectId: string): TiledeskProject {
		const project = this.projects.get(projectId);
		if (!project) throw new Error(`unknown project ${projectId}`);
		return project;
	}

	private key(projectId: string, requestId: string): string {
		return `${projectId}/${requestId}`;
	}

	private findRequest(projectId: string, requestId: string): RequestRecord | undefined {
		return this.requests.get(this.key(projectId, requestId));
	}

	private findRequestAnywhere(requestId: string): RequestRecord | undefined {
		return [...this.requests.values()].find((r) => r.request_id === requestId);
	}

	private requireRequest(requestId: string): RequestRecord {
		const r = this.findRequestAnywhere(requestId);
		if (!r) throw new Error(`unknown request ${requestId}`);
		return r;
	}

	private messagesOf(r: RequestRecord): TiledeskMessage[] {
		return this.messages.get(this.key(r.id_project, r.request_id)) ?? [];
	}

	private userJson(u: UserRecord): TiledeskUser & { fullName?: string; id: string; __v: number } {
		return {
			_id: u._id,
			email: u.email,
			firstname: u.firstname,
			lastname: u.lastname,
			emailverified: u.emailverified,
			createdAt: u.createdAt,
			updatedAt: u.updatedAt,
			fullName: fullName(u),
			id: u._id,
			__v: 0,
		};
	}

	private projectUserJson(pu: TiledeskProjectUser): Record<string, unknown> {
		const user = pu.id_user ? this.users.get(pu.id_user) : undefined;
		return { ...pu, id_user: user ? this.userJson(user) : pu.id_user, __v: 0, id: pu._id };
	}

	private departmentJson(d: TiledeskDepartment | undefined): Record<string, unknown> | undefined {
		if (!d) return undefined;
		const out: Record<string, unknown> = { ...d, __v: 0, id: d._id };
		const bot = d.id_bot ? this.bots.get(d.id_bot) : undefined;
		if (bot) out.bot = { ...bot }; // event/messageEvent.js adds department.bot to message payloads
		return out;
	}

	private leadJson(l: LeadRecord | undefined): Record<string, unknown> | undefined {
		return l ? { ...clone(l), __v: 0, id: l._id } : undefined;
	}

	/** The request as upstream returns it: lead, department, requester and participants populated. */
	private requestJson(r: RequestRecord): Record<string, unknown> {
		const { snapshotAgents, seq, ...plain } = r;
		const lead = this.leads.find((l) => l._id === r.lead);
		const requester = this.projectUsers.find((pu) => pu._id === r.requester);
		const department = r.department ? this.departments.get(r.department) : undefined;
		return clone({
			...plain,
			lead: this.leadJson(lead) ?? r.lead,
			department: this.departmentJson(department),
			requester: requester ? this.projectUserJson(requester) : r.requester,
			snapshot: {
				department: this.departmentJson(department),
				lead: this.leadJson(lead),
				availableAgentsCount: this.availableAgents(r.id_project).length,
			},
			participatingAgents: r.participantsAgents
				.map((id) => this.users.get(id))
				.filter((u): u is UserRecord => !!u)
				.map((u) => this.userJson(u)),
			participatingBots: r.participantsBots.map((id) => this.bots.get(id)).filter((b) => !!b),
			requester_id: r.requester,
			__v: 0,
			id: r._id,
		});
	}

	/** As saved (POST's answer, with secret and global) or as found (`select: false` fields left out). */
	private subscriptionJson(s: SubscriptionRecord, withSecret = false): Record<string, unknown> {
		const { secret, global, ...rest } = s;
		return withSecret ? { ...rest, secret, global: global ?? false, __v: 0 } : { ...rest, __v: 0 };
	}

	// ---------------------------------------------------------------- internals: routing and requests

	/** Project members with an agent role (roleType 1), active and available (upstream getOperators). */
	private availableAgents(projectId: string): TiledeskProjectUser[] {
		return this.projectUsers.filter(
			(pu) => pu.id_project === projectId && pu.roleType === 1 && pu.status === 'active' && pu.user_available && !!pu.id_user,
		);
	}

	private agentIds(projectId: string): string[] {
		return this.projectUsers
			.filter((pu) => pu.id_project === projectId && pu.roleType === 1 && pu.id_user)
			.map((pu) => pu.id_user!);
	}

	private findDepartment(projectId: string, departmentId: string | undefined): TiledeskDepartment | undefined {
		if (departmentId === undefined || departmentId === 'default') {
			return [...this.departments.values()].find((d) => d.id_project === projectId && d.default);
		}
		return this.departments.get(departmentId);
	}

	/**
	 * services/departmentService.js getOperators: the department's bot unless `nobot`; else, for
	 * `assigned` routing, the next available agent after the one who got the latest human request
	 * (round robin); `pooled` routing assigns nobody.
	 */
	private selectOperator(projectId: string, department: TiledeskDepartment, nobot: boolean): string | undefined {
		if (department.id_bot && !nobot) return `bot_${department.id_bot}`;
		if (department.routing === 'pooled') return undefined;
		const available = this.availableAgents(projectId);
		if (available.length === 0) return undefined;
		const last = [...this.requests.values()]
			.filter((r) => r.id_project === projectId && !r.hasBot && r.status > 100 && r.participants.length > 0)
			.sort((a, b) => b.seq - a.seq)[0];
		// CHOICE: upstream picks a random available agent when there is no previous request; we take the first.
		const lastIndex = last ? available.findIndex((pu) => pu.id_user === last.participants[0]) : -1;
		return available[(lastIndex + 1) % available.length].id_user;
	}

	private setParticipantsFields(r: RequestRecord, participants: string[]): void {
		r.participants = [...participants];
		r.participantsAgents = participants.filter((p) => !p.startsWith('bot_'));
		r.participantsBots = participants.filter((p) => p.startsWith('bot_')).map((p) => p.slice(4));
		r.hasBot = r.participantsBots.length > 0;
	}

	/** services/requestService.js route(): re-run routing on a department; always emits request.update. */
	private route(r: RequestRecord, departmentId: string | undefined, nobot: boolean): void {
		const department = this.findDepartment(r.id_project, departmentId);
		if (!department) throw new Error('department not found');
		const operator = this.selectOperator(r.id_project, department, nobot);
		const participants = operator ? [operator] : [];
		const changed =
			r.status !== (operator ? REQUEST_STATUS.ASSIGNED : REQUEST_STATUS.UNASSIGNED) ||
			r.department !== department._id ||
			JSON.stringify(r.participants) !== JSON.stringify(participants);
		if (changed) {
			this.setParticipantsFields(r, participants);
			r.status = operator ? REQUEST_STATUS.ASSIGNED : REQUEST_STATUS.UNASSIGNED;
			r.department = department._id;
			r.assigned_at = operator ? nowIso() : undefined;
			r.waiting_time = undefined;
			r.snapshotAgents = this.agentIds(r.id_project);
			r.updatedAt = nowIso();
		}
		this.emit(r.id_project, 'request.update', this.requestJson(r));
		this.onParticipantsUpdate(r);
	}

	/** pubmodules/rules/conciergeBot.js welcomeAgentOnJoin: an info line when agents (no bot) get it. */
	private onParticipantsUpdate(r: RequestRecord, member?: string): void {
		if (r.participants.some((p) => p.startsWith('bot_'))) return;
		if (r.status !== REQUEST_STATUS.ASSIGNED || r.participants.length === 0) return;
		let touchText = (r.first_text ?? '').replace(/[\n\r]+/g, ' ');
		if (touchText.length > 30) touchText = touchText.substring(0, 30);
		if (r.subject) touchText = r.subject;
		touchText = touchText.replace(/\\/g, '');
		this.addMessage(r, {
			sender: 'system',
			senderFullname: 'Bot',
			text: `A new support request has been assigned to you: ${touchText}`,
			createdBy: 'system',
			attributes: {
				subtype: 'info',
				updateconversation: true,
				updateconversationfor: member ? [member] : [...r.participants],
				forcenotification: true,
				messagelabel: { key: 'TOUCHING_OPERATOR' },
			},
		});
	}

	private addParticipant(r: RequestRecord, member: string): void {
		if (r.participants.includes(member)) return;
		const previous = [...r.participants];
		this.setParticipantsFields(r, [...r.participants, member]);
		r.status = REQUEST_STATUS.ASSIGNED;
		r.assigned_at = nowIso();
		r.updatedAt = nowIso();
		this.emit(r.id_project, 'request.update', this.requestJson(r));
		// conciergeBot.js: welcome uses the request as it was right after the join (bot still there)...
		const snapshotHasBot = r.participants.some((p) => p.startsWith('bot_'));
		if (!snapshotHasBot) this.onParticipantsUpdate(r, member);
		// ...then, when a human joins, the bot participant leaves.
		if (!member.startsWith('bot_')) {
			for (const bot of previous.filter((p) => p.startsWith('bot_'))) this.removeParticipant(r, bot);
		}
	}

	private removeParticipant(r: RequestRecord, member: string): void {
		if (!r.participants.includes(member)) return;
		this.setParticipantsFields(
			r,
			r.participants.filter((p) => p !== member),
		);
		// requestService.js: a closed request keeps its status.
		if (r.status !== REQUEST_STATUS.CLOSED) {
			r.status = r.participants.length > 0 ? REQUEST_STATUS.ASSIGNED : REQUEST_STATUS.UNASSIGNED;
		}
		r.updatedAt = nowIso();
		this.emit(r.id_project, 'request.update', this.requestJson(r));
	}

	private updateWaitingTime(r: RequestRecord): void {
		if (r.waiting_time) return;
		r.waiting_time = Date.now() - Date.parse(r.createdAt);
		r.first_response_at = nowIso();
		r.updatedAt = nowIso();
		this.emit(r.id_project, 'request.update', this.requestJson(r));
	}

	/**
	 * requestService.js closeRequestByRequestId: status 1000 (request.update), transcript,
	 * closed_at/by, then request.close with the messages; conciergeBot then writes "Chat closed".
	 * Closing a closed request emits request.close again.
	 */
	private closeRequest(r: RequestRecord, closedBy: string, force = false): void {
		if (r.status === REQUEST_STATUS.CLOSED && !force) {
			this.emitClose(r);
			return;
		}
		r.status = REQUEST_STATUS.CLOSED;
		r.updatedAt = nowIso();
		this.emit(r.id_project, 'request.update', this.requestJson(r));
		r.transcript = this.messagesOf(r)
			.map((m) => `${m.senderFullname}: ${m.text ?? ''}`)
			.join('\n');
		r.closed_at = nowIso();
		r.closed_by = closedBy;
		r.duration = Date.parse(r.closed_at) - Date.parse(r.createdAt);
		this.emitClose(r);
	}

	private emitClose(r: RequestRecord): void {
		// subscriptionNotifierQueued.js: request.close payload = request + its messages, oldest first.
		const payload = { ...this.requestJson(r), messages: clone(this.messagesOf(r)) };
		this.emit(r.id_project, 'request.close', payload);
		this.addMessage(r, {
			sender: 'system',
			senderFullname: 'Bot',
			text: 'Chat closed',
			createdBy: 'system',
			attributes: { subtype: 'info/support', updateconversation: false, messagelabel: { key: 'CHAT_CLOSED' } },
		});
	}

	private reopenRequest(r: RequestRecord): void {
		if (r.status === REQUEST_STATUS.ASSIGNED || r.status === REQUEST_STATUS.UNASSIGNED) return;
		r.status = r.participants.length > 0 ? REQUEST_STATUS.ASSIGNED : REQUEST_STATUS.UNASSIGNED;
		r.updatedAt = nowIso();
		this.emit(r.id_project, 'request.update', this.requestJson(r));
		this.addMessage(r, {
			sender: 'system',
			senderFullname: 'Bot',
			text: 'Chat reopened',
			createdBy: 'system',
			attributes: { subtype: 'info/support', updateconversation: true, messagelabel: { key: 'CHAT_REOPENED' } },
		});
	}

	private leadFor(
		projectId: string,
		leadId: string,
		fullname: string | undefined,
		email: string | undefined,
		attributes: unknown,
	): LeadRecord {
		const existing = this.leads.find((l) => l.id_project === projectId && l.lead_id === leadId);
		if (existing) return existing;
		const now = nowIso();
		const lead: LeadRecord = {
			_id: objectId(),
			lead_id: leadId,
			fullname,
			email,
			attributes,
			id_project: projectId,
			createdBy: 'system',
			status: 100,
			createdAt: now,
			updatedAt: now,
		};
		this.leads.push(lead);
		this.emit(projectId, 'lead.create', clone(lead));
		return lead;
	}

	private addMessage(
		r: RequestRecord,
		m: {
			sender: string;
			senderFullname?: string;
			text?: string;
			type?: string;
			attributes?: Record<string, unknown>;
			metadata?: Record<string, unknown>;
			status?: number;
			createdBy: string;
			language?: string;
			channel?: { name: string };
		},
	): TiledeskMessage {
		const now = nowIso();
		const message: TiledeskMessage = {
			_id: objectId(),
			sender: m.sender,
			senderFullname: m.senderFullname ?? 'Guest',
			recipient: r.request_id,
			type: m.type ?? 'text',
			channel_type: 'group',
			...(m.text === undefined ? {} : { text: m.text }),
			...(m.language === undefined ? {} : { language: m.language }),
			channel: m.channel ?? { name: 'chat21' },
			id_project: r.id_project,
			status: m.status ?? MESSAGE_STATUS.SENDING,
			...(m.attributes === undefined ? {} : { attributes: clone(m.attributes) }),
			...(m.metadata === undefined ? {} : { metadata: clone(m.metadata) }),
			createdBy: m.createdBy,
			createdAt: now,
			updatedAt: now,
			__v: 0,
		};
		const key = this.key(r.id_project, r.request_id);
		const list = this.messages.get(key) ?? [];
		list.push(message);
		this.messages.set(key, list);
		r.attributes = { ...r.attributes, last_message: clone(message) };
		// event/messageEvent.js: message.create carries the message with its populated request, and
		// message2Event fires the channel-scoped forms. Sheet: it fires for every message.
		const payload = { ...clone(message), request: this.requestJson(r) };
		this.emit(r.id_project, 'message.create', payload);
		this.emit(r.id_project, `message.create.request.channel.${r.channel.name}`, payload);
		this.emit(r.id_project, `message.create.channel.${message.channel.name}`, payload);
		this.scheduleEngine(r, message);
		return message;
	}

	/**
	 * The chat engine (chat21) delivers the message and marks it RECEIVED; then
	 * pubmodules/messageActions/messageActionsInterceptor.js reads the text from its first `\` to the
	 * end: exactly `agent` routes the request to a human, exactly `close` closes it. (So `\agent` must
	 * end the text — the sheet's "last line" — and no other backslash may come before it.)
	 */
	private scheduleEngine(r: RequestRecord, message: TiledeskMessage): void {
		this.pendingEngine += 1;
		this.timers.set(() => {
			this.pendingEngine -= 1;
			if (this.stopped) return;
			message.status = MESSAGE_STATUS.RECEIVED;
			message.updatedAt = nowIso();
			const text = message.text ?? '';
			const start = text.indexOf('\\');
			if (start < 0) return;
			const action = text.substring(start + 1);
			try {
				if (action === 'agent') {
					// With a bot participant upstream calls route() on the request's department (default if
					// none); without one it calls reroute(), which does nothing when there is no department.
					const hasBot = r.participants.some((p) => p.startsWith('bot_'));
					if (hasBot || r.department) this.route(r, r.department, true);
				} else if (action === 'close') {
					this.closeRequest(r, message.sender);
				}
			} catch {
				// Upstream logs the routing error and carries on.
			}
		}, this.options.engineDelayMs * this.options.timeScale);
	}

	// ---------------------------------------------------------------- internals: webhooks

	/** tiledesk-server services/subscriptionNotifier.js findSubscriber: `{event, $or: [{id_project}, {global: true}]}`. */
	private emit(projectId: string, event: string, payload: unknown): void {
		if (!this.options.resthookEnabled || this.stopped) return;
		for (const s of this.subscriptions) {
			if (s.event !== event || (s.id_project !== projectId && s.global !== true)) continue;
			// UNCONFIRMED: upstream's jwt.sign throws on a subscription without secret (an upserted one).
			if (typeof s.target === 'string' && typeof s.secret === 'string') this.deliver(s as DeliverableSubscription, payload);
		}
	}

	/**
	 * tiledesk-server services/subscriptionNotifier.js notify(): `{timestamp, payload, hook, token}`
	 * + x-hook-secret. `hook` is the subscription without secret and global; `token` is signed with
	 * its secret, a global one's with the server's own (GLOBAL_SECRET) for audience tiledesk.com.
	 */
	private deliver(s: DeliverableSubscription, payload: unknown): void {
		const hook = this.subscriptionJson(s);
		const token = s.global
			? signJwt(hook, this.options.jwtSecret, { iss: 'https://tiledesk.com', sub: 'subscription', aud: 'https://tiledesk.com' })
			: signJwt(hook, s.secret, {
					iss: 'https://tiledesk.com',
					sub: 'subscription',
					aud: `https://tiledesk.com/subscriptions/${s._id}`,
				});
		const body = { timestamp: Date.now(), payload: clone(payload), hook, token };
		const headers: Record<string, string> = {
			'Content-Type': 'application/json',
			'x-hook-secret': s.secret,
			'User-Agent': 'tiledesk-webhooks',
			Origin: this.options.webhookOrigin,
		};
		const deliveryId = crypto.randomUUID();
		let attempt = 0;
		this.pendingDeliveries += 1;
		const run = async (): Promise<void> => {
			attempt += 1;
			const record: TiledeskDeliveryAttempt = {
				deliveryId,
				subscriptionId: s._id,
				event: s.event,
				target: s.target,
				attempt,
				at: Date.now(),
				status: null,
				headers,
				body,
			};
			this.attempts.push(record);
			try {
				const res = await this.outbox.request(s.target, {
					method: 'POST',
					headers,
					body,
					timeoutMs: this.options.hookTimeoutMs,
				});
				record.status = res.status;
			} catch (err) {
				record.error = String((err as Error)?.message ?? err);
			}
			if (this.stopped) return;
			if (hookShouldRetry(record.status) && attempt < HOOK_MAX_ATTEMPTS) {
				const jitter = this.options.retryJitter ? crypto.randomInt(0, 1000) : 0;
				const delay = (2 ** attempt * 1000 + jitter) * this.options.timeScale;
				record.retryInMs = delay;
				this.timers.set(() => void run(), delay);
				return;
			}
			if (hookShouldRetry(record.status)) record.gaveUp = true;
			this.pendingDeliveries -= 1;
		};
		void run();
	}

	// ---------------------------------------------------------------- internals: HTTP

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://localhost');
		const rawBody = await readBody(req);
		const method = (req.method ?? 'GET').toUpperCase();
		// Express (non-strict routing): a trailing slash is ignored.
		const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;

		if (path === '/_control' || path.startsWith('/_control/')) {
			await this.handleControl(method, path, rawBody, res);
			return;
		}

		let body: unknown;
		let badJson = false;
		try {
			body = parseJsonBody(rawBody);
		} catch {
			badJson = true;
			body = rawBody;
		}
		const call: TiledeskApiCall = { at: Date.now(), method, path: url.pathname, query: queryOf(url), headers: req.headers, body };
		this.calls.push(call);

		const fault = injectedFault(this.options.faults);
		if (fault !== undefined) {
			call.status = fault;
			call.injected = true;
			sendJson(res, fault, { success: false, msg: 'Injected failure' });
			return;
		}
		const reply = badJson
			? { status: 400, text: 'Bad Request: invalid JSON body' }
			: this.dispatch(method, path, call.query, req.headers, body);
		call.status = reply.status;
		if (reply.text !== undefined) sendText(res, reply.status, reply.text, reply.headers);
		else sendJson(res, reply.status, reply.body === undefined ? null : reply.body, reply.headers);
	}

	private dispatch(
		method: string,
		path: string,
		query: Record<string, string>,
		headers: http.IncomingHttpHeaders,
		body: unknown,
	): Reply {
		const match = this.router.match(method, path);
		// Express answers unknown routes (and known paths with another method) with 404 "Cannot X".
		if (match === undefined || match === 'method') return { status: 404, text: `Cannot ${method} ${path}` };
		const { access, handler } = match.handler;
		const ctx: Ctx = {
			params: match.params,
			query,
			body: body ?? {},
			auth: { _id: '', guest: true },
			pu: undefined,
			headers,
		};
		if (access !== 'public') {
			const auth = this.authenticate(headers.authorization);
			if (!auth) return UNAUTHORIZED;
			ctx.auth = auth;
			// tiledesk-server middleware/has-role.js: the subscription type passes hasRoleOrTypes without any
			// project check; elsewhere a subscription has no project user: "you dont belong to the project".
			if (auth.subscription) return access.subscription ? handler(ctx) : NOT_MEMBER;
			const pu = this.projectUsers.find(
				(p) => p.id_project === match.params.projectid && (p.id_user === auth._id || p.uuid_user === auth._id),
			);
			if (!pu || pu.status !== 'active') return NOT_MEMBER;
			if (access.role && !ROLE_INCLUDES[pu.role].includes(access.role)) return WRONG_ROLE;
			ctx.pu = pu;
		}
		return handler(ctx);
	}

	/** Sheet: `Authorization: JWT <jwt>` or HTTP Basic `email:password` (passport 'jwt' and 'basic'). */
	private authenticate(header: string | undefined): AuthUser | undefined {
		if (!header) return undefined;
		const [scheme, ...rest] = header.trim().split(/\s+/);
		const value = rest.join(' ');
		if (scheme.toLowerCase() === 'jwt') {
			const payload = this.verifyAnyJwt(value);
			if (!payload || typeof payload._id !== 'string') return undefined;
			// tiledesk-server middleware/passport.js: `sub: subscription` logs in as the subscription named by
			// `_id` (the secret was picked by `aud`, which may name another one: reproduced as it is).
			if (payload.sub === 'subscription') {
				const subscription = this.subscriptions.find((s) => s._id === payload._id);
				return subscription ? { _id: subscription._id, guest: false, subscription: true } : undefined;
			}
			// middleware/passport.js: a custom visitor token carries its user in the payload.
			if (payload.sub === 'userexternal') {
				return { _id: payload._id, email: payload.email, firstname: payload.firstname, lastname: payload.lastname, guest: true };
			}
			const user = this.users.get(payload._id);
			if (user) return { _id: user._id, email: user.email, firstname: user.firstname, lastname: user.lastname, guest: false };
			const guest = this.guests.get(payload._id);
			if (guest) return { _id: guest._id, email: guest.email, firstname: guest.firstname, lastname: guest.lastname, guest: true };
			return undefined;
		}
		if (scheme.toLowerCase() === 'basic') {
			const decoded = Buffer.from(value, 'base64').toString('utf8');
			const colon = decoded.indexOf(':');
			if (colon < 0) return undefined;
			const email = decoded.slice(0, colon).toLowerCase();
			const password = decoded.slice(colon + 1);
			const user = [...this.users.values()].find((u) => u.email === email);
			if (!user || user.password !== password) return undefined;
			return { _id: user._id, email: user.email, firstname: user.firstname, lastname: user.lastname, guest: false };
		}
		return undefined;
	}

	/**
	 * middleware/passport.js secretOrKeyProvider: the secret depends on the token's audience —
	 * `…/projects/{id}` the project's shared secret, `…/subscriptions/{id}` the subscription's
	 * secret, anything else the server's own. (`…/bots/{id}` tokens are not simulated.)
	 */
	private secretForAudience(aud: unknown): string | undefined {
		const audience = audienceOf(aud);
		if (audience?.[0] === 'projects') return audience[1] ? this.projectSecrets.get(audience[1]) : undefined;
		if (audience?.[0] === 'subscriptions') {
			return audience[1] ? this.subscriptions.find((s) => s._id === audience[1])?.secret : undefined;
		}
		if (audience?.[0] === 'bots') return undefined;
		return this.options.jwtSecret;
	}

	private verifyAnyJwt(token: string): Record<string, any> | undefined {
		const secret = this.secretForAudience(decodeJwt(token)?.aud);
		return secret === undefined ? undefined : verifyJwt(token, secret);
	}

	/**
	 * routes/auth.js POST /signinWithCustomToken: a JWT signed by the customer (usually with the
	 * project's shared secret, `sub: userexternal`, `aud: https://tiledesk.com/projects/{id}`) makes
	 * its `_id` a project user (role `user`, or the token's `role`); answered with the same token.
	 */
	private signinWithCustomToken(ctx: Ctx): Reply {
		const header = typeof ctx.headers.authorization === 'string' ? ctx.headers.authorization.trim() : '';
		const match = /^jwt\s+(\S+)$/i.exec(header);
		const payload = match ? this.verifyAnyJwt(match[1]) : undefined;
		// passport-jwt: a bad signature, an expired token or no _id is a plain 401.
		if (!payload || (typeof payload._id !== 'string' && typeof payload._id !== 'number')) return UNAUTHORIZED;
		const userId = String(payload._id);
		const user = { ...payload, _id: userId, id: userId };
		if (!payload.aud) return { status: 400, body: { success: false, msg: 'JWT Aud field is required' } };
		const [type, audienceId] = audienceOf(payload.aud) ?? [undefined, undefined];
		let projectId: string | undefined;
		if (type === 'subscriptions') {
			if (!audienceId) {
				return { status: 400, body: { success: false, msg: 'JWT Aud.AudienceId field is required for AudienceType subscriptions' } };
			}
			projectId = this.subscriptions.find((s) => s._id === audienceId)?.id_project;
		} else if (type === 'projects') {
			if (!audienceId) {
				return { status: 400, body: { success: false, msg: 'JWT Aud.AudienceId field is required for AudienceType projects' } };
			}
			projectId = audienceId;
		} else if (typeof ctx.body?.id_project === 'string' && ctx.body.id_project !== '') {
			projectId = ctx.body.id_project;
		} else {
			return ok({ success: true, token: header, user });
		}
		// Upstream answers success even when it cannot save the project user.
		if (!projectId || !this.projects.has(projectId)) return ok({ success: true, token: header, user });

		const role = (typeof payload.role === 'string' && payload.role in ROLE_INCLUDES ? payload.role : 'user') as TiledeskRole;
		const agentLike = CUSTOM_TOKEN_AGENT_ROLES.includes(role);
		const existing = this.projectUsers.find((pu) => pu.id_project === projectId && pu.uuid_user === userId);
		if (existing && existing.status !== 'active') {
			return { status: 401, body: { success: false, msg: 'Authentication failed. Project_user not active.' } };
		}
		if (agentLike) {
			// A real user is made (or found) by e-mail and gets a token of the server's own.
			if (!isEmail(payload.email)) return { status: 401, body: { success: false, msg: 'User not found.' } };
			const realUser = this.createUser({
				email: String(payload.email),
				password: crypto.randomUUID(),
				firstname: payload.firstname,
				lastname: payload.lastname,
			});
			const member = this.projectUsers.some((p) => p.id_project === projectId && p.id_user === realUser._id);
			if (!existing && !member) {
				const now = nowIso();
				this.projectUsers.push({
					_id: objectId(),
					id_project: projectId,
					id_user: realUser._id,
					uuid_user: userId,
					role,
					roleType: 1,
					user_available: true,
					status: 'active',
					createdAt: now,
					updatedAt: now,
				});
			}
			const token = signJwt({ ...realUser }, this.options.jwtSecret, {
				iss: 'https://tiledesk.com',
				sub: 'user',
				aud: 'https://tiledesk.com',
				jti: crypto.randomUUID(),
			});
			return ok({ success: true, token: `JWT ${token}`, user: realUser });
		}
		if (!existing) {
			const now = nowIso();
			this.projectUsers.push({
				_id: objectId(),
				id_project: projectId,
				uuid_user: userId,
				role,
				roleType: ['user', 'guest'].includes(role) ? 2 : 1,
				user_available: true,
				status: 'active',
				createdAt: now,
				updatedAt: now,
			});
		}
		return ok({ success: true, token: header, user });
	}

	private add(method: string, pattern: string, access: RouteDef['access'], handler: (ctx: Ctx) => Reply): void {
		this.router.add(method, pattern, { access, handler });
	}

	/** Wraps a handler that needs an existing request of the project. */
	private withRequest(
		notFound: Reply,
		handler: (ctx: Ctx, r: RequestRecord) => Reply,
	): (ctx: Ctx) => Reply {
		return (ctx) => {
			const r = this.findRequest(ctx.params.projectid, ctx.params.requestid);
			return r ? handler(ctx, r) : notFound;
		};
	}

	private registerRoutes(): void {
		const agentRole = { role: 'agent' as const };

		// ---- auth (routes/auth.js)
		this.add('POST', '/auth/signin', 'public', (ctx) => {
			const errors = [];
			if (!isEmail(ctx.body?.email)) errors.push({ value: ctx.body?.email, msg: 'Invalid value', param: 'email', location: 'body' });
			if (!ctx.body?.password) errors.push({ value: ctx.body?.password, msg: 'Invalid value', param: 'password', location: 'body' });
			if (errors.length > 0) return { status: 422, body: { errors } };
			const email = String(ctx.body.email).toLowerCase();
			const user = [...this.users.values()].find((u) => u.email === email);
			if (!user) return { status: 401, body: { success: false, msg: 'Authentication failed. User not found.' } };
			if (user.password !== ctx.body.password) {
				return { status: 401, body: { success: false, msg: 'Authentication failed. Wrong password.' } };
			}
			const userJson = this.userJson(user);
			// No expiry (sheet); iss/sub/aud as upstream signs them.
			const token = signJwt({ ...userJson }, this.options.jwtSecret, {
				iss: 'https://tiledesk.com',
				sub: 'user',
				aud: 'https://tiledesk.com',
				jti: crypto.randomUUID(),
			});
			return ok({ success: true, token: `JWT ${token}`, user: userJson });
		});

		// noentitycheck + passport 'jwt': the token is checked in the handler (public here).
		this.add('POST', '/auth/signinWithCustomToken', 'public', (ctx) => this.signinWithCustomToken(ctx));

		this.add('POST', '/auth/signinAnonymously', 'public', (ctx) => {
			const projectId = ctx.body?.id_project;
			if (!projectId) {
				return { status: 422, body: { errors: [{ msg: 'Invalid value', param: 'id_project', location: 'body' }] } };
			}
			if (!this.projects.has(projectId)) return { status: 500, body: { success: false, msg: 'Error saving object.' } };
			const id = crypto.randomUUID();
			const guest: GuestRecord = {
				_id: id,
				firstname: ctx.body.firstname || `guest#${id.slice(0, 5)}`,
				lastname: ctx.body.lastname,
				email: ctx.body.email,
				attributes: ctx.body.attributes,
			};
			this.guests.set(id, guest);
			const now = nowIso();
			this.projectUsers.push({
				_id: objectId(),
				id_project: projectId,
				uuid_user: id,
				role: 'guest',
				roleType: 2,
				user_available: true,
				status: 'active',
				createdAt: now,
				updatedAt: now,
			});
			const token = signJwt({ ...guest }, this.options.jwtSecret, {
				iss: 'https://tiledesk.com',
				sub: 'guest',
				aud: 'https://tiledesk.com',
				jti: crypto.randomUUID(),
			});
			return ok({ success: true, token: `JWT ${token}`, user: guest });
		});

		// ---- projects: tiledesk-server routes/project.js GET /:projectid (mounted at /projects, before the
		// /:projectid/ routes): agent role, or a subscription's login; 404 unless the project is active.
		this.add('GET', '/projects/:projectid', { role: 'agent', subscription: true }, (ctx) => {
			const project = this.projects.get(ctx.params.projectid);
			// UNCONFIRMED: upstream answers the whole project document (settings, widget…); these are its basic fields.
			return project ? ok({ ...project, status: 100, id: project._id }) : OBJECT_NOT_FOUND;
		});

		// ---- messages (routes/message.js; any project member may post)
		this.add('POST', '/:projectid/requests/:requestid/messages', { role: null }, (ctx) => this.postMessage(ctx));
		this.add('GET', '/:projectid/requests/:requestid/messages', { role: null }, (ctx) => {
			const r = this.findRequest(ctx.params.projectid, ctx.params.requestid);
			return ok(r ? clone(this.messagesOf(r)) : []);
		});

		// ---- requests (routes/request.js; agent role)
		this.add('GET', '/:projectid/requests', agentRole, (ctx) => this.listRequestsRoute(ctx));

		this.add(
			'GET',
			'/:projectid/requests/:requestid',
			agentRole,
			this.withRequest(OBJECT_NOT_FOUND, (_ctx, r) => ok(this.requestJson(r))),
		);

		this.add(
			'PUT',
			'/:projectid/requests/:requestid/agent',
			agentRole,
			this.withRequest(OBJECT_NOT_FOUND, (_ctx, r) =>
				this.routeReply(r, () => this.route(r, r.department ?? 'default', true)),
			),
		);

		this.add('PUT', '/:projectid/requests/:requestid/departments', agentRole, (ctx) => {
			const r = this.findRequest(ctx.params.projectid, ctx.params.requestid);
			if (!r) return { status: 500, body: { success: false, msg: 'Error changing the department.' } };
			return this.routeReply(r, () => this.route(r, ctx.body?.departmentid, !!ctx.body?.nobot));
		});

		this.add(
			'PUT',
			'/:projectid/requests/:requestid/assign',
			agentRole,
			this.withRequest({ status: 404, body: { success: false, msg: 'Request not found' } }, (ctx, r) => {
				if ([REQUEST_STATUS.ASSIGNED, REQUEST_STATUS.SERVED, REQUEST_STATUS.CLOSED].includes(r.status)) {
					return ok(this.requestJson(r));
				}
				return this.routeReply(r, () => this.route(r, ctx.body?.departmentid, !!ctx.body?.nobot));
			}),
		);

		this.add(
			'POST',
			'/:projectid/requests/:requestid/participants',
			agentRole,
			(ctx) => {
				if (!ctx.body?.member) {
					return { status: 422, body: { errors: [{ msg: 'Invalid value', param: 'member', location: 'body' }] } };
				}
				const r = this.findRequest(ctx.params.projectid, ctx.params.requestid);
				if (!r) return { status: 500, body: { success: false, error: 'Error adding participant' } };
				this.addParticipant(r, String(ctx.body.member));
				return ok(this.requestJson(r));
			},
		);

		this.add('PUT', '/:projectid/requests/:requestid/participants', agentRole, (ctx) => {
			const r = this.findRequest(ctx.params.projectid, ctx.params.requestid);
			if (!r || !Array.isArray(ctx.body)) return { status: 500, body: { success: false, error: 'Error setting participants' } };
			const participants = ctx.body.map(String);
			if (JSON.stringify(participants) !== JSON.stringify(r.participants)) {
				this.setParticipantsFields(r, participants);
				r.status = participants.length > 0 ? REQUEST_STATUS.ASSIGNED : REQUEST_STATUS.UNASSIGNED;
				r.waiting_time = undefined;
				r.updatedAt = nowIso();
				this.emit(r.id_project, 'request.update', this.requestJson(r));
				this.onParticipantsUpdate(r);
			}
			return ok(this.requestJson(r));
		});

		this.add('DELETE', '/:projectid/requests/:requestid/participants/:participantid', agentRole, (ctx) => {
			const r = this.findRequest(ctx.params.projectid, ctx.params.requestid);
			if (!r) {
				return {
					status: 400,
					body: {
						success: false,
						error: `Unable to remove the participant ${ctx.params.participantid} from the request ${ctx.params.requestid}`,
					},
				};
			}
			this.removeParticipant(r, ctx.params.participantid);
			return ok(this.requestJson(r));
		});

		this.add('PUT', '/:projectid/requests/:requestid/close', agentRole, (ctx) => {
			const r = this.findRequest(ctx.params.projectid, ctx.params.requestid);
			const privileged = ctx.pu!.role === 'owner' || ctx.pu!.role === 'admin';
			if (!privileged) {
				if (!r) return { status: 404, body: { success: false, error: 'Request not found' } };
				if (!r.participantsAgents.includes(ctx.auth._id)) {
					return { status: 403, body: { success: false, error: 'You must be among the participants to close a conversation.' } };
				}
			}
			if (!r) return { status: 500, body: { success: false, error: 'Error closing request' } };
			this.closeRequest(r, ctx.auth._id, ctx.body?.force === true);
			return ok(this.requestJson(r));
		});

		this.add('PUT', '/:projectid/requests/:requestid/reopen', agentRole, (ctx) => {
			const r = this.findRequest(ctx.params.projectid, ctx.params.requestid);
			if (!r) return { status: 500, body: { success: false, error: 'Error reopening request' } };
			this.reopenRequest(r);
			return ok(this.requestJson(r));
		});

		// routes/request.js: PATCH .../attributes merges the body's keys into request.attributes.
		this.add(
			'PATCH',
			'/:projectid/requests/:requestid/attributes',
			agentRole,
			this.withRequest(OBJECT_NOT_FOUND, (ctx, r) => {
				if (isObject(ctx.body)) r.attributes = { ...r.attributes, ...clone(ctx.body) };
				r.updatedAt = nowIso();
				this.emit(r.id_project, 'request.update', this.requestJson(r));
				return ok(this.requestJson(r));
			}),
		);

		// ---- departments (routes/department.js: mounted without authentication upstream)
		this.add('GET', '/:projectid/departments', 'public', (ctx) =>
			ok(
				[...this.departments.values()]
					.filter((d) => d.id_project === ctx.params.projectid && d.status === 1)
					.map((d) => this.departmentJson(d)),
			),
		);

		// ---- project users (routes/project_user.js: agent role; default = agent-type members)
		this.add('GET', '/:projectid/project_users', agentRole, (ctx) => {
			const roles = ctx.query.role ? ctx.query.role.split(',') : undefined;
			return ok(
				this.projectUsers
					.filter((pu) => pu.id_project === ctx.params.projectid)
					.filter((pu) => (roles ? roles.includes(pu.role) : pu.roleType === 1))
					.filter((pu) => (ctx.query.status ? pu.status === ctx.query.status : true))
					.map((pu) => this.projectUserJson(pu)),
			);
		});

		// tiledesk-server routes/project_user.js GET /me (since 2.10.104): the caller's membership, as a list of one.
		// UNCONFIRMED: a subscription's login passes the role check there and fails on the missing project user
		// (a 500); here it is refused like on any route without the subscription type.
		this.add('GET', '/:projectid/project_users/me', agentRole, (ctx) => ok([this.projectUserJson(ctx.pu!)]));

		// ---- subscriptions (routes/subscription.js; admin role)
		const adminRole = { role: 'admin' as const };
		this.add('POST', '/:projectid/subscriptions', adminRole, (ctx) => {
			const event = ctx.body?.event;
			const target = ctx.body?.target;
			if (typeof event !== 'string' || !event || typeof target !== 'string' || !target) {
				return { status: 500, body: { success: false, msg: 'Error saving object.' } };
			}
			const projectId = ctx.params.projectid;
			if (this.subscriptions.some((s) => s.id_project === projectId && s.event === event && s.target === target)) {
				// Upstream: on the duplicate-key error it answers findOne({id_project, event}) — the FIRST
				// subscription for that event, which may belong to another target. Reproduced on purpose.
				// Its secret is read back as it is now (`select("+secret")`): a secret set by PUT shows here.
				const first = this.subscriptions.find((s) => s.id_project === projectId && s.event === event)!;
				// UNCONFIRMED: an upserted subscription has no secret; upstream's setHeader(undefined) would throw.
				const headers: Record<string, string> = first.secret === undefined ? {} : { 'x-hook-secret': first.secret };
				return { status: 200, body: this.subscriptionJson(first, true), headers };
			}
			const now = nowIso();
			const secret = this.options.shareSubscriptionSecret ? this.processSecret : crypto.randomUUID();
			const s: SubscriptionRecord = {
				_id: objectId(),
				event,
				target,
				id_project: projectId,
				secret,
				global: false,
				createdBy: ctx.auth._id,
				createdAt: now,
				updatedAt: now,
			};
			this.subscriptions.push(s);
			return { status: 200, body: this.subscriptionJson(s, true), headers: { 'x-hook-secret': secret } };
		});

		this.add('GET', '/:projectid/subscriptions', adminRole, (ctx) =>
			ok(this.subscriptions.filter((s) => s.id_project === ctx.params.projectid).map((s) => this.subscriptionJson(s))),
		);

		// tiledesk-server routes/subscription.js looks subscriptions up by id alone, in any project, for
		// GET/PUT/DELETE by id; an id that is no ObjectId is a CastError, answered 500.
		this.add('GET', '/:projectid/subscriptions/:subscriptionid', adminRole, (ctx) => {
			if (!isObjectId(ctx.params.subscriptionid)) return { status: 500, body: { success: false, msg: 'Error getting object.' } };
			const s = this.subscriptions.find((x) => x._id === ctx.params.subscriptionid);
			return s ? ok(this.subscriptionJson(s)) : OBJECT_NOT_FOUND;
		});

		this.add('PUT', '/:projectid/subscriptions/:subscriptionid', adminRole, (ctx) => this.updateSubscription(ctx));

		this.add('DELETE', '/:projectid/subscriptions/:subscriptionid', adminRole, (ctx) => {
			if (!isObjectId(ctx.params.subscriptionid)) return { status: 500, body: { success: false, msg: 'Error deleting object.' } };
			const index = this.subscriptions.findIndex((x) => x._id === ctx.params.subscriptionid);
			if (index < 0) return ok(null);
			const [removed] = this.subscriptions.splice(index, 1);
			return ok(this.subscriptionJson(removed));
		});
	}

	/**
	 * tiledesk-server routes/subscription.js PUT /:subscriptionid: `findByIdAndUpdate(id, req.body,
	 * {new: true, upsert: true})`. Any schema field of the body is set, `secret` and `global`
	 * included; an unknown id creates a subscription with just those fields (mongoose 5 sets no
	 * defaults on upsert, so no secret). The answer is the document as found: without secret and
	 * global (`select: false`, applied by mongoose 5.13 lib/query.js _findAndModify).
	 */
	private updateSubscription(ctx: Ctx): Reply {
		const failed: Reply = { status: 500, body: { success: false, msg: 'Error updating object.' } };
		const id = ctx.params.subscriptionid;
		const changes = subscriptionChanges(ctx.body);
		if (!isObjectId(id) || changes === undefined) return failed;
		const existing = this.subscriptions.find((x) => x._id === id);
		const now = nowIso();
		const updated: SubscriptionRecord = { ...(existing ?? { _id: id, createdAt: now }), ...changes, updatedAt: now };
		// models/subscription.js: unique index {id_project, event, target}; a clash is a MongoError, answered 500.
		const clash = this.subscriptions.some(
			(x) => x._id !== id && x.id_project === updated.id_project && x.event === updated.event && x.target === updated.target,
		);
		if (clash) return failed;
		if (existing) Object.assign(existing, updated);
		else this.subscriptions.push(updated);
		return ok(this.subscriptionJson(updated));
	}

	private routeReply(r: RequestRecord, fn: () => void): Reply {
		try {
			fn();
		} catch {
			return { status: 500, body: { success: false, msg: 'Error changing the department.' } };
		}
		return ok(this.requestJson(r));
	}

	/** routes/message.js POST: creates the request on the first message. */
	private postMessage(ctx: Ctx): Reply {
		const { projectid, requestid } = ctx.params;
		const body = isObject(ctx.body) ? ctx.body : {};
		// Sheet: the chat engine rejects ids that don't start with `support-group`
		// (channels/chat21/chat21WebHook.js: 400 with this text).
		if (!requestid.startsWith('support-group')) {
			return {
				status: 400,
				body: { success: false, msg: 'recipient not starts with support-group. Not a support message' },
			};
		}
		const sender: string | undefined = typeof body.sender === 'string' && body.sender !== '' ? body.sender : undefined;
		let fullname: string | undefined = body.senderFullname || fullName(ctx.auth);
		let email: string | undefined = body.email || ctx.auth.email;
		const status = typeof body.status === 'number' ? body.status : MESSAGE_STATUS.SENDING;
		const existing = this.findRequest(projectid, requestid);

		if (existing) {
			const message = this.addMessage(existing, {
				sender: sender ?? ctx.auth._id,
				senderFullname: fullname,
				text: body.text,
				type: body.type,
				attributes: body.attributes,
				metadata: body.metadata,
				status,
				createdBy: ctx.auth._id,
				language: body.language,
				channel: body.channel,
			});
			if (sender && existing.participants.includes(sender)) this.updateWaitingTime(existing);
			return ok({ ...clone(message), request: this.requestJson(existing) });
		}

		if (!body.text && (!body.type || body.type === 'text')) return { status: 422, body: { errors: ['text field is required'] } };
		let requester = ctx.pu!;
		if (sender) {
			// routes/message.js: on the first message an explicit sender must be an active project
			// user (by user id or by the uuid of an anonymous/custom-token user), else 403.
			const pu = this.projectUsers.find(
				(p) => p.id_project === projectid && p.status === 'active' && (p.id_user === sender || p.uuid_user === sender),
			);
			if (!pu) {
				return { status: 403, body: { success: false, msg: `Unauthorized. Project_user not found with user id  : ${sender}` } };
			}
			requester = pu;
			if (pu.id_user) {
				const u = this.users.get(pu.id_user);
				fullname = fullName(u);
				email = u?.email;
			} else if (pu.uuid_user) {
				const lead = this.leads.find((l) => l.id_project === projectid && l.lead_id === pu.uuid_user);
				if (lead) {
					fullname = lead.fullname;
					email = lead.email;
				}
			}
		}
		const department = this.findDepartment(projectid, body.departmentid || 'default');
		if (!department) return { status: 500, body: { success: false, msg: 'Error creating request' } };

		const lead = this.leadFor(projectid, sender ?? ctx.auth._id, fullname, email, body.attributes);
		const participants: string[] = Array.isArray(body.participants) ? body.participants.map(String) : [];
		const now = nowIso();
		const r: RequestRecord = {
			_id: objectId(),
			request_id: requestid,
			id_project: projectid,
			requester: requester._id,
			lead: lead._id,
			first_text: body.text,
			subject: body.subject,
			status: REQUEST_STATUS.UNASSIGNED,
			preflight: false,
			hasBot: false,
			participants: [],
			participantsAgents: [],
			participantsBots: [],
			sourcePage: body.sourcePage,
			language: body.language,
			userAgent: body.userAgent,
			channel: isObject(body.channel) && typeof body.channel.name === 'string' ? { name: body.channel.name } : { name: 'chat21' },
			channelOutbound: { name: 'chat21' },
			attributes: isObject(body.attributes) ? clone(body.attributes) : {},
			priority: typeof body.priority === 'string' ? body.priority : 'medium',
			followers: Array.isArray(body.followers) ? body.followers.map(String) : [],
			tags: [],
			notes: [],
			location: body.location,
			createdBy: ctx.auth._id,
			createdAt: now,
			updatedAt: now,
			snapshotAgents: this.agentIds(projectid),
			seq: ++this.requestSeq,
		};
		// services/requestService.js create(): TEMP (50) skips assignment; otherwise the given
		// participants, else the department's operator (bot, or an available agent). With explicit
		// participants the request gets no department.
		if (body.request_status === REQUEST_STATUS.TEMP) {
			r.status = REQUEST_STATUS.TEMP;
			r.participants = participants;
			if (participants.length === 0) r.department = department._id;
		} else {
			if (participants.length === 0) {
				const operator = this.selectOperator(projectid, department, false);
				if (operator) participants.push(operator);
				r.department = department._id;
			}
			if (participants.length > 0) {
				r.status = REQUEST_STATUS.ASSIGNED;
				r.participants = participants;
				// Upstream classifies only the first participant as agent or bot.
				const first = participants[0];
				if (first.startsWith('bot_')) {
					r.hasBot = true;
					r.participantsBots = [first.slice(4)];
				} else {
					r.participantsAgents = [first];
				}
				r.assigned_at = now;
			}
		}
		this.requests.set(this.key(projectid, requestid), r);
		this.emit(projectid, 'request.create', this.requestJson(r));
		const message = this.addMessage(r, {
			sender: sender ?? ctx.auth._id,
			senderFullname: fullname,
			text: body.text,
			type: body.type,
			attributes: body.attributes,
			metadata: body.metadata,
			status,
			createdBy: ctx.auth._id,
			language: body.language,
			channel: body.channel,
		});
		return ok({ ...clone(message), request: this.requestJson(r) });
	}

	/** routes/request.js GET /: `{perPage, count, requests}`; page is 0-based, limit ≤ 100 (default 40). */
	private listRequestsRoute(ctx: Ctx): Reply {
		const q = ctx.query;
		let limit = q.limit ? parseInt(q.limit, 10) : 40;
		if (Number.isNaN(limit) || limit > 100) limit = 40;
		const page = q.page ? Number(q.page) || 0 : 0;
		let list = [...this.requests.values()].filter((r) => r.id_project === ctx.params.projectid && !r.preflight);
		// Default: open conversations only (status < 1000, not TEMP 50 nor ABANDONED 150).
		if (!q.status) list = list.filter((r) => r.status < 1000 && r.status !== 50 && r.status !== 150);
		else if (q.status !== 'all') {
			const statuses = q.status.split(',').map(Number).filter((n) => !Number.isNaN(n));
			if (statuses.length > 0) list = list.filter((r) => statuses.includes(r.status));
		}
		const role = ctx.pu!.role;
		if (role !== 'owner' && role !== 'admin') {
			list = list.filter((r) => r.participants.includes(ctx.auth._id) || r.snapshotAgents.includes(ctx.auth._id));
		}
		if (q.dept_id) list = list.filter((r) => r.department === q.dept_id);
		if (q.participant) list = list.filter((r) => r.participants.includes(q.participant));
		if (q.lead) list = list.filter((r) => r.lead === q.lead);
		if (q.hasbot !== undefined) list = list.filter((r) => String(r.hasBot) === q.hasbot);
		if (q.snap_lead_lead_id) {
			list = list.filter((r) => this.leads.find((l) => l._id === r.lead)?.lead_id === q.snap_lead_lead_id);
		}
		const sortField = q.sort || 'createdAt';
		const direction = q.direction === '1' || q.direction === 'asc' ? 1 : -1;
		list.sort((a, b) => {
			const av = String((a as unknown as Record<string, unknown>)[sortField] ?? '');
			const bv = String((b as unknown as Record<string, unknown>)[sortField] ?? '');
			return (av < bv ? -1 : av > bv ? 1 : a.seq - b.seq) * direction;
		});
		const requests = list.slice(page * limit, page * limit + limit).map((r) => this.requestJson(r));
		return ok({ perPage: limit, count: list.length, requests });
	}

	// ---------------------------------------------------------------- control API (HTTP)

	private async handleControl(method: string, path: string, rawBody: string, res: http.ServerResponse): Promise<void> {
		let body: any;
		try {
			body = parseJsonBody(rawBody) ?? {};
		} catch (err) {
			sendJson(res, 400, { error: `bad JSON: ${(err as Error).message}` });
			return;
		}
		const parts = path.split('/').filter(Boolean).slice(1);
		try {
			const result = this.control(method, parts, body);
			if (result === undefined) sendJson(res, 404, { error: `no control route ${method} ${path}` });
			else sendJson(res, result.status, result.body);
		} catch (err) {
			sendJson(res, 400, { error: String((err as Error)?.message ?? err) });
		}
	}

	private control(method: string, parts: string[], body: any): Reply | undefined {
		const [first, second, third, fourth] = parts;
		if (method === 'GET' && parts.length === 0) return ok({ baseUrl: this.baseUrl, routes: TiledeskSimulator.controlRoutes });
		if (method === 'POST' && first === 'reset' && parts.length === 1) {
			this.reset();
			return ok({ success: true });
		}
		if (first === 'projects') {
			if (method === 'POST' && parts.length === 1) return { status: 201, body: this.createProject(body) };
			if (method === 'GET' && parts.length === 1) return ok([...this.projects.values()]);
			if (method === 'POST' && third === 'agents' && parts.length === 3) {
				return { status: 201, body: this.createAgent(second, body) };
			}
			if (method === 'PATCH' && third === 'agents' && parts.length === 4) {
				this.setAgentAvailability(second, fourth, body.available === true);
				return ok({ success: true });
			}
			if (method === 'POST' && third === 'departments' && parts.length === 3) {
				return { status: 201, body: this.createDepartment(second, body) };
			}
			if (method === 'POST' && third === 'bots' && parts.length === 3) {
				return { status: 201, body: this.createBot(second, body) };
			}
			if (method === 'POST' && third === 'shared_secret' && parts.length === 3) {
				return ok({ secret: this.setProjectSecret(second, typeof body.secret === 'string' ? body.secret : undefined) });
			}
		}
		if (first === 'requests') {
			if (method === 'GET' && parts.length === 1) return ok(this.listRequests());
			if (second === undefined) return undefined;
			if (!this.findRequestAnywhere(second)) return { status: 404, body: { error: `unknown request ${second}` } };
			if (method === 'GET' && parts.length === 2) return ok(this.getRequest(second));
			if (method === 'GET' && third === 'messages') return ok(this.getMessages(second));
			if (method === 'POST' && third === 'agent_says') {
				return { status: 201, body: this.agentSays(second, body.agentId, body.attributes ? body : body.text) };
			}
			if (method === 'POST' && third === 'user_says') return { status: 201, body: this.userSays(second, body.text) };
			if (method === 'POST' && third === 'agent_joins') return ok(this.agentJoins(second, body.agentId));
			if (method === 'POST' && third === 'close') return ok(this.agentCloses(second, body.agentId));
		}
		if (method === 'GET' && first === 'calls' && parts.length === 1) return ok(this.getCalls());
		if (method === 'GET' && first === 'deliveries' && parts.length === 1) return ok(this.getDeliveries());
		if (method === 'GET' && first === 'subscriptions' && parts.length === 1) return ok(this.listSubscriptions());
		return undefined;
	}
}

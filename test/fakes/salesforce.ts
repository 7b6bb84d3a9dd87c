/**
 * Salesforce Live Agent (legacy Chat) simulator: the visitor side of the Chat REST API
 * (`/chat/rest/...`) as /work/shared/reference/salesforce-live-agent.md ("the sheet") and, where it
 * is silent, Salesforce's Chat REST API Developer Guide describe it. Salesforce retired legacy Chat
 * on 2026-02-14; the simulator keeps the protocol playable.
 *
 * - `GET System/SessionId` (X-LIVEAGENT-API-VERSION, X-LIVEAGENT-AFFINITY: the literal `null`)
 *   → `{id, key, affinityToken, clientPollTimeout}`.
 * - `POST Chasitor/ChasitorInit | ChatMessage | ChasitorTyping | ChasitorNotTyping |
 *   ChasitorSneakPeek | ChatEnd`: all four headers (API version, affinity, session key, sequence);
 *   a sequence already processed is answered "OK" without being applied again.
 * - `GET System/Messages?ack=n`: long poll. Answers at once with the messages after `ack`
 *   (`{messages: [{type, message}], sequence}`), else holds the request until there is news or
 *   `pollTimeoutMs` has passed (then 204). 403 once the session is gone.
 * - `DELETE System/SessionId/:key` ends the session; `GET Visitor/Availability` tells whether the
 *   button can take chats.
 *
 * A chat goes queue → ChatRequestSuccess (queuePosition) → an agent accepts → ChatEstablished →
 * ChatMessage both ways (AgentTyping / AgentNotTyping, ChatTransferred) → ChatEnded (the agent) or
 * ChatEnd (the visitor). Agents are played through the control API: methods on the class and HTTP
 * routes under `/_control` (see `controlRoutes`).
 *
 * Items neither source settles are marked `CHOICE:` (our decision) or `UNCONFIRMED:` (a plausible
 * Salesforce behaviour nobody could verify); each lives in one place so it is easy to change.
 */
import * as http from 'http';
import * as crypto from 'crypto';
import { Timers, clone, close, isObject, listen, queryOf, readBody, sendJson, sendText } from './http';

export interface SalesforceLiveAgentSimulatorOptions {
	/** 0 (default) = a random free port. */
	port?: number;
	host?: string;
	organizationId?: string;
	deploymentId?: string;
	buttonId?: string;
	/**
	 * How long a Messages request is held without news before the 204. UNCONFIRMED: Salesforce
	 * publishes no number; it has to be below clientPollTimeout. Default 30 000 ms; small in tests.
	 */
	pollTimeoutMs?: number;
	/** Seconds, as SessionId reports it (the sheet: e.g. 40). */
	clientPollTimeout?: number;
	/**
	 * The docs: without a new Messages request the session ends "after a system timeout".
	 * 0 (default) = never. CHOICE: measured from the last request or the end of the last poll.
	 */
	sessionTimeoutMs?: number;
	/** Whether an agent can take chats on the button (Availability, ChasitorInit). Default true. */
	agentsAvailable?: boolean;
	/** Seconds, reported in ChatRequestSuccess / QueueUpdate / Availability. Default 60. */
	estimatedWaitTime?: number;
	/** The lowest X-LIVEAGENT-API-VERSION accepted (the resources exist since 29.0). */
	minApiVersion?: number;
}

export type LiveAgentSessionState = 'new' | 'queued' | 'established' | 'ended' | 'gone';

export interface LiveAgentMessage {
	type: string;
	message: Record<string, unknown>;
}

export interface LiveAgentTranscriptEntry {
	from: 'visitor' | 'agent';
	name: string;
	text: string;
	at: string;
	/** The visitor's X-LIVEAGENT-SEQUENCE. */
	sequence?: number;
	/** A visitor message sent while the chat was still waiting in the queue. */
	beforeEstablished?: boolean;
}

export interface LiveAgentSessionInfo {
	id: string;
	key: string;
	affinityToken: string;
	state: LiveAgentSessionState;
	visitorName: string | null;
	visitorId: string | null;
	queuePosition: number | null;
	agent: { name: string; userId: string } | null;
	/** Highest X-LIVEAGENT-SEQUENCE processed (0: none). */
	lastSequence: number;
	/** Messages queued for the visitor, each with the sequence it was given. */
	messages: Array<LiveAgentMessage & { sequence: number }>;
	transcript: LiveAgentTranscriptEntry[];
	chasitorInit: Record<string, unknown> | null;
	visitorTyping: boolean;
	endedBy: 'agent' | 'visitor' | 'unavailable' | 'timeout' | 'deleted' | null;
	pollPending: boolean;
}

export interface LiveAgentApiCall {
	at: number;
	method: string;
	/** Below /chat/rest, e.g. `/Chasitor/ChatMessage`. */
	path: string;
	query: Record<string, string>;
	headers: http.IncomingHttpHeaders;
	body: unknown;
	status?: number;
	/** A POST whose sequence was already processed: answered OK, not applied again. */
	duplicate?: boolean;
}

interface PendingPoll {
	res: http.ServerResponse;
	ack: number;
	timer: NodeJS.Timeout;
	call: LiveAgentApiCall;
}

interface SessionRecord {
	id: string;
	key: string;
	affinityToken: string;
	state: LiveAgentSessionState;
	lastActivity: number;
	lastSequence: number;
	visitorName: string | null;
	visitorId: string | null;
	receiveQueueUpdates: boolean;
	chasitorInit: Record<string, unknown> | null;
	agent: { name: string; userId: string } | null;
	/** Every message for the visitor, oldest first; `sequence` is what `ack` refers to. */
	outbox: Array<LiveAgentMessage & { sequence: number }>;
	lastMessageSequence: number;
	/** A poll with an ack at or past this sequence (ChatEnded / ChatRequestFail) finds the session gone. */
	endSequence: number | null;
	transcript: LiveAgentTranscriptEntry[];
	visitorTyping: boolean;
	endedBy: LiveAgentSessionInfo['endedBy'];
	pending: PendingPoll | null;
}

interface Reply {
	status: number;
	/** Strings go out as text/plain, anything else as JSON; undefined = no body. */
	body?: unknown;
}

const HEADER = {
	version: 'x-liveagent-api-version',
	affinity: 'x-liveagent-affinity',
	key: 'x-liveagent-session-key',
	sequence: 'x-liveagent-sequence',
} as const;
type HeaderName = keyof typeof HEADER;

const ROOT = '/chat/rest';
const POST_RESOURCES = ['ChasitorInit', 'ChatMessage', 'ChasitorTyping', 'ChasitorNotTyping', 'ChasitorSneakPeek', 'ChatEnd'];

const ok = (): Reply => ({ status: 200, body: 'OK' });
// CHOICE: Salesforce's error bodies are not documented; the simulator answers a short text.
const bad = (text: string): Reply => ({ status: 400, body: text });
const gone = (): Reply => ({ status: 403, body: 'Session not found or ended' });

const DEFAULT_AGENT = { name: 'Agent Smith', userId: '0055e000001AgEnT' };

export class SalesforceLiveAgentSimulator {
	private options: Required<SalesforceLiveAgentSimulatorOptions>;
	private server: http.Server | undefined;
	private port = 0;
	private timers = new Timers();
	private sessions = new Map<string, SessionRecord>();
	/** Session ids waiting for an agent, first in line first. */
	private queue: string[] = [];
	private calls: LiveAgentApiCall[] = [];
	/** Statuses the next Messages requests get instead of their normal answer (409, 503…). */
	private injectedPollStatuses: number[] = [];

	constructor(options: SalesforceLiveAgentSimulatorOptions = {}) {
		this.options = this.resolveOptions(options);
	}

	async start(options: SalesforceLiveAgentSimulatorOptions = {}): Promise<this> {
		if (Object.keys(options).length > 0) this.options = this.resolveOptions({ ...this.options, ...options });
		this.server = http.createServer((req, res) => {
			this.handle(req, res).catch((err) => {
				sendText(res, 500, `Simulator error: ${String(err?.message ?? err)}`);
			});
		});
		this.port = await listen(this.server, this.options.port, this.options.host);
		return this;
	}

	/** Ends pending long polls (their connections are closed) and stops listening. */
	async stop(): Promise<void> {
		this.timers.clearAll();
		for (const session of this.sessions.values()) session.pending = null;
		if (this.server) await close(this.server);
		this.server = undefined;
	}

	/** The Chat API endpoint as Setup → Chat Settings shows it: `http://host:port/chat/rest`. */
	get endpoint(): string {
		return `http://${this.options.host}:${this.port}${ROOT}`;
	}

	/** `http://host:port` (the "chat API endpoint host"). */
	get hostUrl(): string {
		return `http://${this.options.host}:${this.port}`;
	}

	get controlUrl(): string {
		return `${this.hostUrl}/_control`;
	}

	get organizationId(): string {
		return this.options.organizationId;
	}

	get deploymentId(): string {
		return this.options.deploymentId;
	}

	get buttonId(): string {
		return this.options.buttonId;
	}

	get clientPollTimeout(): number {
		return this.options.clientPollTimeout;
	}

	static readonly controlRoutes = [
		'GET    /_control                                  this list and the ids to configure',
		'POST   /_control/reset                            forget every session and call',
		'PATCH  /_control/availability                     {available} agents can take chats or not',
		'POST   /_control/poll_status                      {status, times?} the next Messages polls get this status',
		'GET    /_control/sessions                         every session (state, queue, messages, transcript)',
		'GET    /_control/sessions/:id                     one session (by its id, not its key)',
		'POST   /_control/sessions/:id/accept              {name?, userId?} an agent accepts the queued chat',
		'POST   /_control/sessions/:id/agent_says          {text}',
		'POST   /_control/sessions/:id/agent_typing        {typing}',
		'POST   /_control/sessions/:id/transfer            {name, userId} another agent takes the chat',
		'POST   /_control/sessions/:id/end                 the agent ends the chat (ChatEnded)',
		'GET    /_control/sessions/:id/transcript          what the agent saw, both ways',
		'GET    /_control/calls                            recorded API calls',
	];

	// ---------------------------------------------------------------- control API (methods)

	setAgentsAvailable(available: boolean): void {
		this.options.agentsAvailable = available;
	}

	/** The next `times` Messages requests are answered with `status` (e.g. 409, 503), nothing else done. */
	injectPollStatus(status: number, times = 1): void {
		for (let i = 0; i < times; i++) this.injectedPollStatuses.push(status);
	}

	/** An agent accepts a queued chat: ChatEstablished, and everyone behind moves up. */
	agentAccepts(sessionId: string, agent: { name?: string; userId?: string } = {}): void {
		const session = this.requireSession(sessionId);
		if (session.state !== 'queued') throw new Error(`session ${sessionId} is ${session.state}, not queued`);
		session.agent = { name: agent.name ?? DEFAULT_AGENT.name, userId: agent.userId ?? DEFAULT_AGENT.userId };
		session.state = 'established';
		this.leaveQueue(session);
		this.push(session, 'ChatEstablished', {
			name: session.agent.name,
			userId: session.agent.userId,
			sneakPeekEnabled: false,
			// UNCONFIRMED: the object's shape when the idle timeout is off.
			chasitorIdleTimeout: { isEnabled: false, warningTime: 0, timeout: 0 },
		});
	}

	agentSays(sessionId: string, text: string): void {
		const session = this.requireSession(sessionId);
		if (session.state !== 'established' || !session.agent) throw new Error(`session ${sessionId} is ${session.state}, not established`);
		session.transcript.push({ from: 'agent', name: session.agent.name, text, at: new Date().toISOString() });
		this.push(session, 'ChatMessage', { name: session.agent.name, text });
	}

	agentTyping(sessionId: string, typing = true): void {
		const session = this.requireSession(sessionId);
		if (session.state !== 'established') throw new Error(`session ${sessionId} is ${session.state}, not established`);
		this.push(session, typing ? 'AgentTyping' : 'AgentNotTyping', {});
	}

	agentTransfers(sessionId: string, agent: { name: string; userId: string }): void {
		const session = this.requireSession(sessionId);
		if (session.state !== 'established') throw new Error(`session ${sessionId} is ${session.state}, not established`);
		session.agent = { name: agent.name, userId: agent.userId };
		this.push(session, 'ChatTransferred', {
			name: agent.name,
			userId: agent.userId,
			sneakPeekEnabled: false,
			chasitorIdleTimeout: { isEnabled: false, warningTime: 0, timeout: 0 },
		});
	}

	/** The agent ends the chat: ChatEnded for the visitor; the session is gone once the visitor acks it. */
	agentEnds(sessionId: string): void {
		const session = this.requireSession(sessionId);
		if (session.state !== 'queued' && session.state !== 'established') {
			throw new Error(`session ${sessionId} is ${session.state}: there is no chat to end`);
		}
		this.leaveQueue(session);
		session.state = 'ended';
		session.endedBy = 'agent';
		// UNCONFIRMED: the reason's value; the guide only says ChatEnded carries a ChatEndReason.
		session.endSequence = this.push(session, 'ChatEnded', { reason: 'agent' });
	}

	transcript(sessionId: string): LiveAgentTranscriptEntry[] {
		return clone(this.requireSession(sessionId).transcript);
	}

	getSession(sessionId: string): LiveAgentSessionInfo | undefined {
		const session = this.sessions.get(sessionId);
		return session ? this.info(session) : undefined;
	}

	listSessions(): LiveAgentSessionInfo[] {
		return [...this.sessions.values()].map((s) => this.info(s));
	}

	/** The most recently created session (tests that drive one chat). */
	lastSession(): LiveAgentSessionInfo | undefined {
		const all = [...this.sessions.values()];
		const last = all[all.length - 1];
		return last ? this.info(last) : undefined;
	}

	getCalls(): LiveAgentApiCall[] {
		return clone(this.calls);
	}

	reset(): void {
		this.timers.clearAll();
		for (const session of this.sessions.values()) {
			if (session.pending) this.answer(session.pending.res, session.pending.call, gone());
		}
		this.sessions.clear();
		this.queue = [];
		this.calls = [];
		this.injectedPollStatuses = [];
	}

	// ---------------------------------------------------------------- internals

	private resolveOptions(options: SalesforceLiveAgentSimulatorOptions): Required<SalesforceLiveAgentSimulatorOptions> {
		return {
			port: options.port ?? 0,
			host: options.host ?? '127.0.0.1',
			organizationId: options.organizationId ?? '00D5e000000SiMu',
			deploymentId: options.deploymentId ?? '5725e000000SiMu',
			buttonId: options.buttonId ?? '5735e000000SiMu',
			pollTimeoutMs: options.pollTimeoutMs ?? 30_000,
			clientPollTimeout: options.clientPollTimeout ?? 40,
			sessionTimeoutMs: options.sessionTimeoutMs ?? 0,
			agentsAvailable: options.agentsAvailable ?? true,
			estimatedWaitTime: options.estimatedWaitTime ?? 60,
			minApiVersion: options.minApiVersion ?? 29,
		};
	}

	private requireSession(sessionId: string): SessionRecord {
		const session = this.sessions.get(sessionId);
		if (!session) throw new Error(`unknown session ${sessionId}`);
		return session;
	}

	private info(session: SessionRecord): LiveAgentSessionInfo {
		const position = this.queue.indexOf(session.id);
		return clone({
			id: session.id,
			key: session.key,
			affinityToken: session.affinityToken,
			state: session.state,
			visitorName: session.visitorName,
			visitorId: session.visitorId,
			queuePosition: position >= 0 ? position + 1 : null,
			agent: session.agent,
			lastSequence: session.lastSequence,
			messages: session.outbox,
			transcript: session.transcript,
			chasitorInit: session.chasitorInit,
			visitorTyping: session.visitorTyping,
			endedBy: session.endedBy,
			pollPending: session.pending !== null,
		});
	}

	/** Queues a message for the visitor; a waiting poll gets it at once. Returns its sequence. */
	private push(session: SessionRecord, type: string, message: Record<string, unknown>): number {
		const sequence = ++session.lastMessageSequence;
		session.outbox.push({ type, message, sequence });
		const pending = session.pending;
		if (pending) {
			session.pending = null;
			this.timers.clear(pending.timer);
			this.answer(pending.res, pending.call, this.pollAnswer(session, pending.ack));
		}
		return sequence;
	}

	private leaveQueue(session: SessionRecord): void {
		const index = this.queue.indexOf(session.id);
		if (index < 0) return;
		this.queue.splice(index, 1);
		// Everyone behind moves up; those who asked for queue updates hear of it.
		for (let i = index; i < this.queue.length; i++) {
			const behind = this.sessions.get(this.queue[i]);
			if (behind?.receiveQueueUpdates) {
				this.push(behind, 'QueueUpdate', { position: i + 1, estimatedWaitTime: this.options.estimatedWaitTime });
			}
		}
	}

	/** The session is over for good: every later call (and a waiting poll) gets 403. */
	private endSession(session: SessionRecord, by: NonNullable<LiveAgentSessionInfo['endedBy']>): void {
		this.leaveQueue(session);
		session.state = 'gone';
		session.endedBy ??= by;
		const pending = session.pending;
		if (pending) {
			session.pending = null;
			this.timers.clear(pending.timer);
			// CHOICE: a poll waiting when the session ends is answered 403 at once.
			this.answer(pending.res, pending.call, gone());
		}
	}

	private expireIdle(session: SessionRecord): void {
		const limit = this.options.sessionTimeoutMs;
		if (!limit || session.state === 'gone' || session.pending) return;
		if (Date.now() - session.lastActivity > limit) this.endSession(session, 'timeout');
	}

	private pollAnswer(session: SessionRecord, ack: number): Reply {
		const news = session.outbox.filter((m) => m.sequence > ack);
		if (news.length === 0) return { status: 204 };
		return {
			status: 200,
			body: {
				messages: news.map(({ type, message }) => ({ type, message })),
				sequence: news[news.length - 1].sequence,
			},
		};
	}

	private answer(res: http.ServerResponse, call: LiveAgentApiCall, reply: Reply): void {
		call.status = reply.status;
		if (reply.body === undefined) {
			if (!res.headersSent) {
				res.writeHead(reply.status, { 'Content-Length': '0' });
				res.end();
			}
		} else if (typeof reply.body === 'string') {
			sendText(res, reply.status, reply.body);
		} else {
			sendJson(res, reply.status, reply.body);
		}
	}

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://localhost');
		const method = (req.method ?? 'GET').toUpperCase();
		const raw = await readBody(req);
		if (url.pathname === '/_control' || url.pathname.startsWith('/_control/')) {
			this.handleControl(method, url.pathname, raw, res);
			return;
		}
		if (!url.pathname.startsWith(`${ROOT}/`)) {
			sendText(res, 404, `No route ${method} ${url.pathname}`);
			return;
		}
		const path = url.pathname.slice(ROOT.length);
		let body: unknown = undefined;
		let badJson = false;
		if (raw.trim() !== '') {
			try {
				body = JSON.parse(raw);
			} catch {
				body = raw;
				badJson = true;
			}
		}
		const call: LiveAgentApiCall = { at: Date.now(), method, path, query: queryOf(url), headers: req.headers, body };
		this.calls.push(call);
		if (badJson) {
			this.answer(res, call, bad('Request body is not valid JSON'));
			return;
		}
		const reply = this.route(method, path, call, res);
		if (reply) this.answer(res, call, reply);
	}

	/** A Reply to send now, or undefined when the request was parked (long poll). */
	private route(
		method: string,
		path: string,
		call: LiveAgentApiCall,
		res: http.ServerResponse,
	): Reply | undefined {
		if (path === '/Visitor/Availability') {
			if (method !== 'GET') return { status: 405, body: 'Use GET' };
			return this.availability(call);
		}
		if (path === '/System/SessionId') {
			if (method !== 'GET') return { status: 405, body: 'Use GET' };
			return this.createSession(call);
		}
		const deleteMatch = /^\/System\/SessionId\/([^/]+)$/.exec(path);
		if (deleteMatch) {
			if (method !== 'DELETE') return { status: 405, body: 'Use DELETE' };
			return this.deleteSession(call, decodeURIComponent(deleteMatch[1]));
		}
		if (path === '/System/Messages') {
			if (method !== 'GET') return { status: 405, body: 'Use GET' };
			return this.messages(call, res);
		}
		const chasitor = /^\/Chasitor\/([A-Za-z]+)$/.exec(path);
		if (chasitor && POST_RESOURCES.includes(chasitor[1])) {
			if (method !== 'POST') return { status: 405, body: 'Use POST' };
			return this.chasitor(chasitor[1], call);
		}
		return { status: 404, body: `No route ${method} ${ROOT}${path}` };
	}

	private header(call: LiveAgentApiCall, name: HeaderName): string | undefined {
		const value = call.headers[HEADER[name]];
		const text = Array.isArray(value) ? value[0] : value;
		return text === undefined || text === '' ? undefined : text;
	}

	/** 400 naming the first missing header, or a bad API version. */
	private checkHeaders(call: LiveAgentApiCall, names: HeaderName[]): Reply | undefined {
		for (const name of names) {
			if (this.header(call, name) === undefined) return bad(`Missing required header ${HEADER[name].toUpperCase()}`);
		}
		const version = Number(this.header(call, 'version'));
		// CHOICE: a version that is not a number, or older than the resources, is a 400.
		if (!Number.isFinite(version) || version < this.options.minApiVersion) {
			return bad(`Unsupported X-LIVEAGENT-API-VERSION ${this.header(call, 'version')}`);
		}
		return undefined;
	}

	/** The session a request's key and affinity name, or the error to answer. */
	private sessionOf(call: LiveAgentApiCall, key: string | undefined): SessionRecord | Reply {
		const session = [...this.sessions.values()].find((s) => s.key === key);
		if (!session) return gone();
		this.expireIdle(session);
		if (session.state === 'gone') return gone();
		// CHOICE: an affinity token that is not the session's is a 400 (Salesforce would route it elsewhere).
		if (this.header(call, 'affinity') !== session.affinityToken) return bad('Invalid X-LIVEAGENT-AFFINITY');
		session.lastActivity = Date.now();
		return session;
	}

	private availability(call: LiveAgentApiCall): Reply {
		const missing = this.checkHeaders(call, ['version']);
		if (missing) return missing;
		const { org_id: org, deployment_id: deployment } = call.query;
		// CHOICE: an unknown organization or deployment is a 400 (so a credential test notices).
		if (org !== this.options.organizationId) return bad('Invalid org_id');
		if (deployment !== this.options.deploymentId) return bad('Invalid deployment_id');
		const ids = String(call.query['Availability.ids'] ?? '')
			.split(',')
			.map((id) => id.trim())
			.filter(Boolean);
		const withWait = call.query['Availability.needEstimatedWaitTime'] === '1';
		// CHOICE: ids that are not the deployment's button are left out of the results.
		const results = ids
			.filter((id) => id === this.options.buttonId)
			.map((id) => ({
				id,
				isAvailable: this.options.agentsAvailable,
				...(withWait ? { estimatedWaitTime: this.options.estimatedWaitTime } : {}),
			}));
		return { status: 200, body: { messages: [{ type: 'Availability', message: { results } }] } };
	}

	private createSession(call: LiveAgentApiCall): Reply {
		const missing = this.checkHeaders(call, ['version', 'affinity']);
		if (missing) return missing;
		// The sheet: the affinity is the literal `null` on the first call (there is no session yet).
		if (this.header(call, 'affinity') !== 'null') return bad('X-LIVEAGENT-AFFINITY must be null for SessionId');
		const id = crypto.randomUUID();
		const session: SessionRecord = {
			id,
			// Shaped like Salesforce's keys: id!epoch-ms!signature.
			key: `${id}!${Date.now()}!${crypto.randomBytes(20).toString('base64')}`,
			affinityToken: crypto.randomBytes(4).toString('hex'),
			state: 'new',
			lastActivity: Date.now(),
			lastSequence: 0,
			visitorName: null,
			visitorId: null,
			receiveQueueUpdates: false,
			chasitorInit: null,
			agent: null,
			outbox: [],
			lastMessageSequence: 0,
			endSequence: null,
			transcript: [],
			visitorTyping: false,
			endedBy: null,
			pending: null,
		};
		this.sessions.set(id, session);
		return {
			status: 200,
			body: {
				key: session.key,
				id: session.id,
				clientPollTimeout: this.options.clientPollTimeout,
				affinityToken: session.affinityToken,
			},
		};
	}

	private deleteSession(call: LiveAgentApiCall, key: string): Reply {
		// CHOICE: DELETE carries the version and the affinity; the key is the path.
		const missing = this.checkHeaders(call, ['version', 'affinity']);
		if (missing) return missing;
		const session = this.sessionOf(call, key);
		if ('status' in session) return session;
		this.endSession(session, 'deleted');
		return ok();
	}

	private chasitor(resource: string, call: LiveAgentApiCall): Reply {
		const missing = this.checkHeaders(call, ['version', 'affinity', 'key', 'sequence']);
		if (missing) return missing;
		const sequence = Number(this.header(call, 'sequence'));
		if (!Number.isInteger(sequence) || sequence < 1) return bad('X-LIVEAGENT-SEQUENCE must be a positive integer');
		const session = this.sessionOf(call, this.header(call, 'key'));
		if ('status' in session) return session;
		// Retried or replayed POSTs: answered as the first time, not applied again.
		// CHOICE: "already processed" means at or below the highest sequence seen (the sheet: +1 per POST).
		if (sequence <= session.lastSequence) {
			call.duplicate = true;
			return ok();
		}
		const body = isObject(call.body) ? call.body : {};
		let reply: Reply;
		switch (resource) {
			case 'ChasitorInit':
				reply = this.chasitorInit(session, body);
				break;
			case 'ChatMessage':
				reply = this.visitorMessage(session, body, sequence);
				break;
			case 'ChatEnd':
				reply = this.visitorEnds(session, body);
				break;
			default:
				// ChasitorTyping, ChasitorNotTyping, ChasitorSneakPeek.
				reply = this.visitorTyping(session, resource);
		}
		// CHOICE: a POST refused with a 400 does not use up its sequence.
		if (reply.status < 400) session.lastSequence = sequence;
		return reply;
	}

	private chasitorInit(session: SessionRecord, body: Record<string, any>): Reply {
		if (session.state !== 'new') return bad('Chat already initiated for this session');
		for (const field of ['organizationId', 'deploymentId', 'buttonId', 'sessionId']) {
			if (typeof body[field] !== 'string' || body[field] === '') return bad(`ChasitorInit: ${field} is required`);
		}
		for (const field of ['prechatDetails', 'prechatEntities']) {
			if (body[field] !== undefined && !Array.isArray(body[field])) return bad(`ChasitorInit: ${field} must be an array`);
		}
		if (body.sessionId !== session.id) return bad('ChasitorInit: sessionId is not this session\'s id');
		// CHOICE: a wrong organization or deployment is a 400; a button that cannot take the chat fails it.
		if (body.organizationId !== this.options.organizationId) return bad('ChasitorInit: invalid organizationId');
		if (body.deploymentId !== this.options.deploymentId) return bad('ChasitorInit: invalid deploymentId');
		session.chasitorInit = clone(body);
		session.visitorName = typeof body.visitorName === 'string' ? body.visitorName : null;
		session.receiveQueueUpdates = body.receiveQueueUpdates === true;
		if (body.buttonId !== this.options.buttonId || !this.options.agentsAvailable) {
			session.state = 'ended';
			session.endedBy = 'unavailable';
			session.endSequence = this.push(session, 'ChatRequestFail', { reason: 'Unavailable', postChatUrl: '' });
			return ok();
		}
		session.visitorId = crypto.randomUUID();
		session.state = 'queued';
		this.queue.push(session.id);
		this.push(session, 'ChatRequestSuccess', {
			queuePosition: this.queue.length,
			estimatedWaitTime: this.options.estimatedWaitTime,
			visitorId: session.visitorId,
			connectionTimeout: 150000,
			customDetails: Array.isArray(body.prechatDetails) ? clone(body.prechatDetails) : [],
			sensitiveDataRules: [],
			transcriptSaveEnabled: false,
			url: '',
		});
		return ok();
	}

	private visitorMessage(session: SessionRecord, body: Record<string, any>, sequence: number): Reply {
		if (typeof body.text !== 'string') return bad('ChatMessage: text is required');
		// CHOICE: before ChasitorInit there is no chat; while queued the message waits for the agent.
		if (session.state === 'new') return bad('No chat in this session yet: send ChasitorInit first');
		if (session.state !== 'queued' && session.state !== 'established') return gone();
		session.transcript.push({
			from: 'visitor',
			name: session.visitorName ?? 'Visitor',
			text: body.text,
			at: new Date().toISOString(),
			sequence,
			...(session.state === 'queued' ? { beforeEstablished: true } : {}),
		});
		return ok();
	}

	private visitorTyping(session: SessionRecord, resource: string): Reply {
		if (session.state !== 'queued' && session.state !== 'established') return bad('No chat in progress');
		if (resource === 'ChasitorTyping') session.visitorTyping = true;
		if (resource === 'ChasitorNotTyping') session.visitorTyping = false;
		return ok();
	}

	private visitorEnds(session: SessionRecord, body: Record<string, any>): Reply {
		// The guide: the ChatEndReason body is required, e.g. {reason: "client"}.
		if (typeof body.reason !== 'string' || body.reason === '') return bad('ChatEnd: reason is required');
		// CHOICE: the visitor gets no ChatEnded for their own ChatEnd; the session is gone at once.
		this.endSession(session, 'visitor');
		return ok();
	}

	private messages(call: LiveAgentApiCall, res: http.ServerResponse): Reply | undefined {
		const missing = this.checkHeaders(call, ['version', 'affinity', 'key']);
		if (missing) return missing;
		const injected = this.injectedPollStatuses.shift();
		if (injected !== undefined) return { status: injected, body: injected === 204 ? undefined : `Injected ${injected}` };
		const ackText = call.query.ack;
		const ack = ackText === undefined || ackText === '' ? -1 : Number(ackText);
		if (!Number.isInteger(ack) || ack < -1) return bad('ack must be an integer, -1 the first time');
		const session = this.sessionOf(call, this.header(call, 'key'));
		if ('status' in session) return session;
		if (session.endSequence !== null && ack >= session.endSequence) {
			// The visitor has acknowledged ChatEnded / ChatRequestFail: nothing more will come.
			this.endSession(session, session.endedBy ?? 'agent');
			return gone();
		}
		const now = this.pollAnswer(session, ack);
		if (now.status === 200) return now;
		if (session.pending) {
			// CHOICE: a newer poll supersedes the waiting one, which gets 409 Conflict (the sheet: poll again).
			const older = session.pending;
			session.pending = null;
			this.timers.clear(older.timer);
			this.answer(older.res, older.call, { status: 409, body: 'Superseded by a newer Messages request' });
		}
		const pending: PendingPoll = {
			res,
			ack,
			call,
			timer: this.timers.set(() => {
				if (session.pending !== pending) return;
				session.pending = null;
				session.lastActivity = Date.now();
				this.answer(res, call, { status: 204 });
			}, this.options.pollTimeoutMs),
		};
		session.pending = pending;
		res.on('close', () => {
			if (session.pending !== pending || res.writableEnded) return;
			// The client gave up (its own timeout): forget the poll; its messages stay unacknowledged.
			session.pending = null;
			this.timers.clear(pending.timer);
			session.lastActivity = Date.now();
		});
		return undefined;
	}

	// ---------------------------------------------------------------- control routes

	private handleControl(method: string, path: string, raw: string, res: http.ServerResponse): void {
		let body: any = {};
		try {
			body = raw.trim() ? JSON.parse(raw) : {};
		} catch (err) {
			sendJson(res, 400, { error: `bad JSON: ${(err as Error).message}` });
			return;
		}
		const parts = path.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
		try {
			const result = this.control(method, parts, body);
			if (result === undefined) sendJson(res, 404, { error: `no control route ${method} ${path}` });
			else sendJson(res, result.status, result.body);
		} catch (err) {
			sendJson(res, 400, { error: String((err as Error)?.message ?? err) });
		}
	}

	private control(method: string, parts: string[], body: any): Reply | undefined {
		const [first, second, third] = parts;
		const done = { status: 200, body: { success: true } };
		if (method === 'GET' && parts.length === 0) {
			return {
				status: 200,
				body: {
					endpoint: this.endpoint,
					organizationId: this.organizationId,
					deploymentId: this.deploymentId,
					buttonId: this.buttonId,
					agentsAvailable: this.options.agentsAvailable,
					routes: SalesforceLiveAgentSimulator.controlRoutes,
				},
			};
		}
		if (method === 'POST' && first === 'reset' && parts.length === 1) {
			this.reset();
			return done;
		}
		if (method === 'PATCH' && first === 'availability' && parts.length === 1) {
			this.setAgentsAvailable(body.available === true);
			return done;
		}
		if (method === 'POST' && first === 'poll_status' && parts.length === 1) {
			this.injectPollStatus(Number(body.status), Number(body.times ?? 1));
			return done;
		}
		if (method === 'GET' && first === 'calls' && parts.length === 1) return { status: 200, body: this.getCalls() };
		if (first === 'sessions') {
			if (method === 'GET' && parts.length === 1) return { status: 200, body: this.listSessions() };
			if (second === undefined) return undefined;
			if (!this.sessions.has(second)) return { status: 404, body: { error: `unknown session ${second}` } };
			if (method === 'GET' && parts.length === 2) return { status: 200, body: this.getSession(second) };
			if (method === 'GET' && third === 'transcript') return { status: 200, body: this.transcript(second) };
			if (method !== 'POST' || parts.length !== 3) return undefined;
			if (third === 'accept') this.agentAccepts(second, body);
			else if (third === 'agent_says') this.agentSays(second, String(body.text ?? ''));
			else if (third === 'agent_typing') this.agentTyping(second, body.typing !== false);
			else if (third === 'transfer') this.agentTransfers(second, body);
			else if (third === 'end') this.agentEnds(second);
			else return undefined;
			return done;
		}
		return undefined;
	}
}

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

import { clone, close, listen, sendJson, sendText } from '../http';
import { DEFAULT_AGENT, ROOT, gone } from './common';
import type {
	LiveAgentApiCall,
	LiveAgentSessionInfo,
	LiveAgentTranscriptEntry,
	Reply,
	SalesforceLiveAgentSimulatorOptions,
} from './common';
import { LiveAgentRestApi } from './restApi';

export class SalesforceLiveAgentSimulator extends LiveAgentRestApi {
	constructor(options: SalesforceLiveAgentSimulatorOptions = {}) {
		super();
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

	// ---------------------------------------------------------------- control routes

	protected handleControl(method: string, path: string, raw: string, res: http.ServerResponse): void {
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

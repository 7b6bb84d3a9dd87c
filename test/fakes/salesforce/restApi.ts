import * as http from 'http';
import * as crypto from 'crypto';

import { clone, isObject, queryOf, readBody, sendText } from '../http';
import { HEADER, POST_RESOURCES, ROOT, bad, gone, ok } from './common';
import type { HeaderName, LiveAgentApiCall, PendingPoll, Reply, SessionRecord } from './common';
import { LiveAgentState } from './state';

/**
 * The Live Agent REST API (`/chat/rest/...`): sessions, the visitor's (Chasitor) requests, the
 * Messages long poll.
 */
export abstract class LiveAgentRestApi extends LiveAgentState {
	protected async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
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

	// The control API (simulator.ts).
	protected abstract handleControl(method: string, path: string, raw: string, res: http.ServerResponse): void;
}

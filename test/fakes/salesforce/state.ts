import * as http from 'http';

import { Timers, clone, sendJson, sendText } from '../http';
import { gone } from './common';
import type {
	LiveAgentApiCall,
	LiveAgentSessionInfo,
	Reply,
	SalesforceLiveAgentSimulatorOptions,
	SessionRecord,
} from './common';

/**
 * The chat sessions, their queue and their message streams (a message pushed answers the Messages
 * poll held open). The bottom layer of SalesforceLiveAgentSimulator: restApi.ts adds the Live Agent
 * REST API, simulator.ts the agent's side (scenario methods) and the control API.
 */
export abstract class LiveAgentState {
	/** Set by the constructor (simulator.ts). */
	protected options!: Required<SalesforceLiveAgentSimulatorOptions>;
	protected server: http.Server | undefined;
	protected port = 0;
	protected timers = new Timers();
	protected sessions = new Map<string, SessionRecord>();
	/** Session ids waiting for an agent, first in line first. */
	protected queue: string[] = [];
	protected calls: LiveAgentApiCall[] = [];
	/** Statuses the next Messages requests get instead of their normal answer (409, 503…). */
	protected injectedPollStatuses: number[] = [];

	// ---------------------------------------------------------------- internals

	protected resolveOptions(options: SalesforceLiveAgentSimulatorOptions): Required<SalesforceLiveAgentSimulatorOptions> {
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

	protected requireSession(sessionId: string): SessionRecord {
		const session = this.sessions.get(sessionId);
		if (!session) throw new Error(`unknown session ${sessionId}`);
		return session;
	}

	protected info(session: SessionRecord): LiveAgentSessionInfo {
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
	protected push(session: SessionRecord, type: string, message: Record<string, unknown>): number {
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

	protected leaveQueue(session: SessionRecord): void {
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
	protected endSession(session: SessionRecord, by: NonNullable<LiveAgentSessionInfo['endedBy']>): void {
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

	protected expireIdle(session: SessionRecord): void {
		const limit = this.options.sessionTimeoutMs;
		if (!limit || session.state === 'gone' || session.pending) return;
		if (Date.now() - session.lastActivity > limit) this.endSession(session, 'timeout');
	}

	protected pollAnswer(session: SessionRecord, ack: number): Reply {
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

	protected answer(res: http.ServerResponse, call: LiveAgentApiCall, reply: Reply): void {
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
}

import * as http from 'http';
import * as crypto from 'crypto';

import { Timers, clone, sendJson } from '../http';
import { APP_TYPES, END_USER_NAME, EVENT_NAMES } from './common';
import type {
	Attachment,
	ConversationRecord,
	EnhancedChatApiCall,
	EnhancedChatConversationView,
	EnhancedChatEntryJson,
	EnhancedChatTranscriptLine,
	EntryRecord,
	FailRule,
	MediaRecord,
	Participant,
	Reply,
	ResolvedOptions,
	SalesforceEnhancedChatSimulatorOptions,
	Sender,
	SenderRole,
	StreamRecord,
	SubjectRecord,
	TokenRecord,
} from './common';

export interface NewEntry {
	entryType: string;
	payload: Record<string, unknown>;
	sender: Sender;
	senderDisplayName: string;
	listed: boolean;
	text: string;
	attachments?: Attachment[];
	clientMessageId?: string;
}

/**
 * Tokens, end users (subjects), conversations with their entries, and the event streams every
 * entry is published to. The bottom layer of SalesforceEnhancedChatSimulator: authApi.ts adds the
 * token endpoints, conversationApi.ts the conversation calls, eventRouter.ts the SSE stream,
 * server.ts the HTTP side, simulator.ts the agent's side and the control API.
 */
export abstract class EnhancedChatState {
	/** Set by the constructor (simulator.ts). */
	protected options!: ResolvedOptions;
	protected server: http.Server | undefined;
	protected port = 0;
	protected timers = new Timers();
	protected readonly secret = crypto.randomBytes(32);
	/** CHOICE: the deployment's channel id (SSE `channelAddressIdentifier`, token context). */
	protected readonly channelAddressIdentifier = crypto.randomUUID();
	protected tokens = new Map<string, TokenRecord>();
	protected subjects = new Map<string, SubjectRecord>();
	/** Conversations by id. */
	protected records = new Map<string, ConversationRecord>();
	protected media = new Map<string, MediaRecord>();
	protected streams = new Set<StreamRecord>();
	protected calls: EnhancedChatApiCall[] = [];
	protected failRules: Array<FailRule & { count: number }> = [];
	/** Request times of the last minute per rate-limit bucket (the sheet: tokens, renewals). */
	protected tokenRequests: Record<'token' | 'renew', number[]> = { token: [], renew: [] };

	abstract get baseUrl(): string;

	protected resolveOptions(o: SalesforceEnhancedChatSimulatorOptions): ResolvedOptions {
		return {
			port: o.port ?? 0,
			host: o.host ?? '127.0.0.1',
			timeScale: o.timeScale ?? 1,
			orgId: o.orgId ?? '00D5e000000SiMu',
			deploymentName: o.deploymentName ?? 'Handoff_Web',
			tokenTtlMs: o.tokenTtlMs ?? 6 * 60 * 60 * 1000,
			tokenRequestsPerMinute: o.tokenRequestsPerMinute ?? 200,
			routingDelayMs: o.routingDelayMs ?? 1000,
			agentsAvailable: o.agentsAvailable ?? true,
			estimatedWaitTimeSeconds: o.estimatedWaitTimeSeconds ?? 60,
			autoAcceptAgent: o.autoAcceptAgent ?? null,
			dedupeMessageIds: o.dedupeMessageIds ?? false,
			entryPayloadAsString: o.entryPayloadAsString ?? false,
			pingIntervalMs: o.pingIntervalMs ?? 30_000,
			replayRetention: o.replayRetention ?? 100,
			streamMaxMs: o.streamMaxMs ?? 0,
			maxFileBytes: o.maxFileBytes ?? 5 * 1024 * 1024,
			faults: o.faults,
		};
	}

	protected scaled(ms: number): number {
		return ms * this.options.timeScale;
	}

	protected requireConversation(id: string): ConversationRecord {
		const conversation = this.records.get(id);
		if (!conversation) throw new Error(`unknown conversation ${id}`);
		return conversation;
	}

	protected subjectRecord(subject: string, verified: boolean): SubjectRecord {
		let record = this.subjects.get(subject);
		if (!record) {
			record = { subject, verified, lastEventId: 0, retained: [] };
			this.subjects.set(subject, record);
		}
		return record;
	}

	protected currentSession(conversation: ConversationRecord) {
		return conversation.sessions[conversation.sessions.length - 1];
	}

	protected sessionActive(conversation: ConversationRecord): boolean {
		return !conversation.closed && this.currentSession(conversation).status === 'Active';
	}

	protected sender(role: SenderRole, subject: string, clientIdentifier = subject): Sender {
		return { role, subject, appType: APP_TYPES[role], clientIdentifier };
	}

	/** Records an entry and publishes it on the end user's streams. */
	protected addEntry(conversation: ConversationRecord, input: NewEntry, clientTimestamp?: number): EntryRecord {
		// CHOICE: transcriptedTimestamp (ms) strictly increases within a conversation.
		const at = Math.max(Date.now(), conversation.lastTimestamp + 1);
		conversation.lastTimestamp = at;
		const identifier = crypto.randomUUID();
		const entry: EntryRecord = {
			...input,
			identifier,
			payload: { ...input.payload },
			transcriptedTimestamp: at,
			clientTimestamp: clientTimestamp ?? at,
		};
		// The sheet: Message payloads are `{entryType, id, abstractMessage}`; CHOICE: `id` is the entry's identifier.
		if (entry.entryType === 'Message') entry.payload = { entryType: 'Message', id: identifier, ...input.payload };
		conversation.entries.push(entry);
		this.publish(conversation.subject, EVENT_NAMES[entry.entryType] ?? 'CONVERSATION_MESSAGE', {
			// CHOICE: channelPlatformKey is the end user's subject.
			channelPlatformKey: conversation.subject,
			channelType: 'embedded_messaging',
			channelAddressIdentifier: this.channelAddressIdentifier,
			conversationId: conversation.id,
			conversationEntry: {
				identifier: entry.identifier,
				entryType: entry.entryType,
				senderDisplayName: entry.senderDisplayName,
				sender: entry.sender,
				// The sheet: on the stream, entryPayload is a JSON string.
				entryPayload: JSON.stringify(entry.payload),
				transcriptedTimestamp: entry.transcriptedTimestamp,
				clientTimestamp: entry.clientTimestamp,
			},
		});
		return entry;
	}

	/** Gives the event the subject's next id, keeps it for replay and writes it to open streams. */
	protected publish(subject: string, event: string, data: unknown): void {
		const record = this.subjectRecord(subject, subject.includes('/AUTH/'));
		const sse = { id: ++record.lastEventId, event, data: JSON.stringify(data) };
		record.retained.push(sse);
		const keep = Math.max(0, this.options.replayRetention);
		if (record.retained.length > keep) record.retained.splice(0, record.retained.length - keep);
		for (const stream of this.streams) if (stream.subject === subject) this.writeEvent(stream, sse);
	}

	protected writeEvent(stream: StreamRecord, sse: SseEventLike): void {
		if (stream.res.writableEnded || stream.res.destroyed) return;
		const idLine = sse.id === undefined ? '' : `id: ${sse.id}\n`;
		stream.res.write(`${idLine}event: ${sse.event}\ndata: ${sse.data}\n\n`);
	}

	protected participantOf(conversation: ConversationRecord, role: SenderRole): Participant | undefined {
		return conversation.participants.find((p) => p.role === role);
	}

	protected participantChanged(conversation: ConversationRecord, who: Participant, operation: 'add' | 'remove'): void {
		if (operation === 'add') conversation.participants.push(who);
		else conversation.participants = conversation.participants.filter((p) => p !== who);
		this.addEntry(conversation, {
			entryType: 'ParticipantChanged',
			payload: {
				entryType: 'ParticipantChanged',
				entries: [
					{
						operation,
						participant: { role: who.role, subject: who.subject, appType: who.appType },
						displayName: who.displayName,
					},
				],
			},
			// CHOICE: participant changes are sent by System.
			sender: this.sender('System', 'system'),
			senderDisplayName: 'System',
			listed: true,
			text: `${who.displayName} ${operation === 'add' ? 'joined' : 'left'}`,
		});
	}

	/** The session ends: the agent leaves, then SessionStatusChanged (the sheet, community payload). */
	protected endSession(conversation: ConversationRecord, by: SenderRole): void {
		const session = this.currentSession(conversation);
		this.cancelRouting(conversation);
		const agent = this.participantOf(conversation, 'Agent');
		if (agent) this.participantChanged(conversation, agent, 'remove');
		session.status = 'Ended';
		session.endedByRole = by;
		session.endedAt = Date.now();
		conversation.customerTyping = false;
		this.addEntry(conversation, {
			entryType: 'SessionStatusChanged',
			payload: { entryType: 'SessionStatusChanged', sessionStatus: 'Ended', sessionEndedByRole: by },
			sender: by === 'EndUser' ? this.sender('EndUser', conversation.subject) : this.sender('System', 'system'),
			senderDisplayName: by === 'EndUser' ? END_USER_NAME : 'System',
			listed: true,
			text: `Session ended by ${by}`,
		});
	}

	/** Routing starts; its RoutingResult comes after routingDelayMs (scaled). */
	protected startRouting(conversation: ConversationRecord, type: 'Initial' | 'Transfer'): void {
		this.cancelRouting(conversation);
		conversation.pendingRoutingType = type;
		conversation.routingTimer = this.timers.set(() => this.completeRouting(conversation), this.scaled(this.options.routingDelayMs));
	}

	protected cancelRouting(conversation: ConversationRecord): void {
		this.timers.clear(conversation.routingTimer ?? undefined);
		conversation.routingTimer = null;
		conversation.pendingRoutingType = null;
	}

	protected completeRouting(conversation: ConversationRecord, autoAccept = true): void {
		const routingType = conversation.pendingRoutingType;
		this.cancelRouting(conversation);
		if (!routingType || !this.sessionActive(conversation)) return;
		const routed = this.options.agentsAvailable;
		conversation.routingStatus = 'NEEDS_ROUTING';
		this.addEntry(conversation, {
			entryType: 'RoutingResult',
			payload: {
				entryType: 'RoutingResult',
				routingType,
				failureType: routed ? 'None' : 'RoutingError',
				estimatedWaitTime: { estimatedWaitTimeInSeconds: this.options.estimatedWaitTimeSeconds },
			},
			// CHOICE: routing results are sent by Router.
			sender: this.sender('Router', 'router'),
			senderDisplayName: 'Router',
			listed: true,
			text: `Routing ${routingType}: ${routed ? 'None' : 'RoutingError'}`,
		});
		const auto = this.options.autoAcceptAgent;
		if (routed && auto && autoAccept) this.agentAccepts(conversation.id, { name: auto.name });
	}

	// simulator.ts
	abstract agentAccepts(conversationId: string, agent?: { name?: string }): void;

	protected entryJson(entry: EntryRecord, payloadAsString = this.options.entryPayloadAsString): EnhancedChatEntryJson {
		return {
			identifier: entry.identifier,
			entryType: entry.entryType,
			entryPayload: payloadAsString ? JSON.stringify(entry.payload) : clone(entry.payload),
			sender: { role: entry.sender.role, subject: entry.sender.subject, appType: entry.sender.appType },
			senderDisplayName: entry.senderDisplayName,
			transcriptedTimestamp: entry.transcriptedTimestamp,
			clientTimestamp: entry.clientTimestamp,
		};
	}

	protected view(c: ConversationRecord): EnhancedChatConversationView {
		const session = this.currentSession(c);
		return clone({
			id: c.id,
			subject: c.subject,
			esDeveloperName: c.esDeveloperName,
			routingStatus: c.routingStatus,
			sessionStatus: session.status,
			closed: c.closed,
			sessions: c.sessions.length,
			sessionHistory: c.sessions,
			routingAttributes: session.routingAttributes,
			participants: c.participants.map(({ role, subject, displayName }) => ({ role, subject, displayName })),
			transferQueue: c.transferQueue,
			customerTyping: c.customerTyping,
			language: c.language,
			acks: c.acks,
			entries: c.entries.filter((e) => e.listed).map((e) => this.entryJson(e, false)),
		});
	}

	protected transcriptOf(c: ConversationRecord): EnhancedChatTranscriptLine[] {
		return clone(
			c.entries
				.filter((e) => e.listed)
				.map((e) => ({
					identifier: e.identifier,
					entryType: e.entryType,
					role: e.sender.role,
					name: e.senderDisplayName,
					text: e.text,
					...(e.attachments ? { attachments: e.attachments } : {}),
					...(e.clientMessageId ? { clientMessageId: e.clientMessageId } : {}),
					timestamp: e.transcriptedTimestamp,
				})),
		);
	}

	protected answer(res: http.ServerResponse, call: EnhancedChatApiCall, reply: Reply): void {
		call.status = reply.status;
		if (reply.body === undefined) {
			if (!res.headersSent) {
				res.writeHead(reply.status, { 'Content-Length': '0' });
				res.end();
			}
		} else {
			sendJson(res, reply.status, reply.body);
		}
	}
}

export interface SseEventLike {
	id?: number;
	event: string;
	data: string;
}

import type { IDataObject } from 'n8n-workflow';

import type { AuthorRole, HandoffEvent, HandoffEventName, HandoffMessage } from '../shared';
import { isObject, standInText, toIsoTimestamp } from '../shared';

/**
 * One conversation entry, as the entries list and the event stream carry it (the stream sends
 * `entryPayload` as JSON text, the list as an object: both are read).
 */
export interface ConversationEntry {
	conversationId: string;
	identifier: string;
	entryType: string;
	payload: IDataObject;
	senderRole: string;
	senderSubject: string;
	senderName: string;
	/** Server time in ms: the order of the conversation. */
	transcriptedAt: number;
	raw: IDataObject;
}

function text(value: unknown): string {
	return typeof value === 'string' ? value : '';
}

function payloadOf(value: unknown): IDataObject {
	if (isObject(value)) return value;
	if (typeof value !== 'string' || value.trim() === '') return {};
	try {
		const parsed = JSON.parse(value) as unknown;
		return isObject(parsed) ? parsed : {};
	} catch {
		return {};
	}
}

/** An entry from the list or from a stream event's `conversationEntry`; null when it has no identifier. */
export function entryOf(raw: unknown, conversationId: string): ConversationEntry | null {
	if (!isObject(raw)) return null;
	const identifier = text(raw.identifier) || text(raw.id);
	if (!identifier) return null;
	const sender = isObject(raw.sender) ? raw.sender : {};
	const at = Number(raw.transcriptedTimestamp ?? raw.clientTimestamp);
	return {
		conversationId,
		identifier,
		entryType: text(raw.entryType),
		payload: payloadOf(raw.entryPayload),
		senderRole: text(sender.role),
		senderSubject: text(sender.subject),
		senderName: text(raw.senderDisplayName),
		transcriptedAt: Number.isFinite(at) ? at : 0,
		raw,
	};
}

/** Entries in the conversation's order: server time, then identifier so equal times keep one order. */
export function byTranscriptTime(a: ConversationEntry, b: ConversationEntry): number {
	return a.transcriptedAt - b.transcriptedAt || (a.identifier < b.identifier ? -1 : a.identifier > b.identifier ? 1 : 0);
}

const ROLES: Record<string, AuthorRole> = {
	EndUser: 'customer',
	Agent: 'agent',
	Supervisor: 'agent',
	Chatbot: 'bot',
	System: 'system',
	Router: 'system',
};

export function authorRole(senderRole: string): AuthorRole {
	return ROLES[senderRole] ?? 'system';
}

/** Our own messages come back on the stream as the end user's: a relay drops them. */
export function isOwnEcho(entry: ConversationEntry): boolean {
	return entry.senderRole === 'EndUser';
}

/** The client's id of a message (the one Send Message chooses), to find a message sent before. */
export function clientMessageId(entry: ConversationEntry): string {
	const message = isObject(entry.payload.abstractMessage) ? entry.payload.abstractMessage : {};
	return text(message.id) || text(entry.payload.id);
}

function messageOf(entry: ConversationEntry): HandoffMessage {
	const abstract = isObject(entry.payload.abstractMessage) ? entry.payload.abstractMessage : {};
	const content = isObject(abstract.staticContent) ? abstract.staticContent : {};
	const words = text(content.text);
	const attachments = Array.isArray(content.attachments) ? content.attachments.filter(isObject) : [];
	const first = attachments[0];
	if (first) {
		const mimeType = text(first.mimeType);
		const type = mimeType.startsWith('image/') ? 'image' : 'file';
		const fileName = text(first.name) || undefined;
		return {
			type,
			text: words || standInText(type, fileName),
			url: text(first.url) || undefined,
			fileName,
			mimeType: mimeType || undefined,
			...(attachments.length > 1 ? { attachments: attachments.map((a) => ({ ...a })) } : {}),
			sourceKey: entry.identifier,
		};
	}
	if (words) return { type: 'text', text: words, sourceKey: entry.identifier };
	// Choices, forms and other rich messages: their title, or a stand-in.
	const title = text(content.title) || text((abstract.choices as IDataObject | undefined)?.title);
	return { type: 'other', text: title || standInText('other'), sourceKey: entry.identifier };
}

function participantsOf(entry: ConversationEntry): IDataObject[] {
	const list = Array.isArray(entry.payload.entries) ? entry.payload.entries.filter(isObject) : [];
	return list.map((change) => {
		const participant = isObject(change.participant) ? change.participant : {};
		return {
			operation: text(change.operation),
			role: text(participant.role),
			name: text(change.displayName) || text(participant.displayName) || null,
			subject: text(participant.subject) || null,
		};
	});
}

interface Classified {
	event: HandoffEventName;
	author: HandoffEvent['author'];
	extras: IDataObject;
}

function classify(entry: ConversationEntry): Classified | null {
	const author = { role: authorRole(entry.senderRole), id: entry.senderSubject || null, name: entry.senderName || null };
	const payload = entry.payload;
	switch (entry.entryType) {
		case 'Message':
			return { event: 'message', author, extras: {} };
		case 'ParticipantChanged': {
			const participants = participantsOf(entry);
			const joined = participants.find((p) => p.operation === 'add' && (p.role === 'Agent' || p.role === 'Supervisor'));
			if (joined) {
				return { event: 'agentAssigned', author: { role: 'agent', id: (joined.subject as string) ?? null, name: (joined.name as string) ?? null }, extras: { participants } };
			}
			return { event: 'conversationUpdated', author, extras: { participants } };
		}
		case 'RoutingResult': {
			const failure = text(payload.failureType);
			const wait = isObject(payload.estimatedWaitTime) ? Number(payload.estimatedWaitTime.estimatedWaitTimeInSeconds) : Number.NaN;
			const extras: IDataObject = {
				routing: { type: text(payload.routingType) || null, failure: failure || null, estimatedWaitSeconds: Number.isFinite(wait) ? wait : null },
			};
			if (failure && failure !== 'None') return { event: 'handoffInterrupted', author, extras };
			if (text(payload.routingType) === 'Transfer') return { event: 'conversationTransferred', author, extras };
			return { event: 'conversationUpdated', author, extras };
		}
		case 'SessionStatusChanged': {
			const status = text(payload.sessionStatus);
			const endedBy = text(payload.sessionEndedByRole);
			const extras = { session: { status: status || null, endedBy: endedBy ? authorRole(endedBy) : null } };
			return { event: status === 'Ended' ? 'conversationClosed' : 'conversationUpdated', author, extras };
		}
		case 'CloseConversation':
			return { event: 'conversationClosed', author, extras: { closed: true } };
		default:
			// Typing, acknowledgements, progress and entries this package does not know: no event.
			return null;
	}
}

/** The package's event for an entry, or null for entries that are no event (typing, receipts, unknown). */
export function entryEvent(entry: ConversationEntry, customerId: string | null = null): HandoffEvent | null {
	const classified = classify(entry);
	if (!classified) return null;
	return {
		event: classified.event,
		platform: 'salesforceEnhancedChat',
		conversationId: entry.conversationId,
		// The end user Salesforce knows: the conversation's token subject.
		customerId: customerId || null,
		author: classified.author,
		message: classified.event === 'message' ? messageOf(entry) : null,
		timestamp: toIsoTimestamp(entry.transcriptedAt || undefined),
		entryId: entry.identifier,
		entryType: entry.entryType,
		...classified.extras,
		raw: entry.raw,
	};
}

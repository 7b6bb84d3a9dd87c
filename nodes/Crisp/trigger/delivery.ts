import type { IDataObject } from 'n8n-workflow';

import type { AuthorRole, HandoffEvent, HandoffEventName, HandoffMessage, MessageType } from '../../shared';
import { fileNameFromUrl, idToString, isHttpUrl, isObject, toIsoTimestamp, withReadableText } from '../../shared';
import { carriesMarker } from '../marker';

/**
 * The web hook events this trigger reads (docs/platforms/crisp.md, node-crisp-api Events.ts); the
 * others (message:updated, compose, people…) are answered 200 and dropped, as the library does.
 */
export type CrispEvent = 'message:send' | 'message:received' | 'session:set_state' | 'session:set_routing';

const READ_EVENTS: readonly string[] = ['message:send', 'message:received', 'session:set_state', 'session:set_routing'];

/** A delivery: `{website_id, event, data: {…as the RTM event…}, timestamp}` (ms). */
export interface Delivery {
	event: CrispEvent;
	body: IDataObject;
	data: IDataObject;
	websiteId: string;
	sessionId: string;
	/**
	 * The same for Crisp's retries of this delivery: the message's fingerprint; for a session event
	 * its event, session and timestamp (a retry resends the same body, UNCONFIRMED beyond the
	 * X-Delivery-Attempt-* headers).
	 */
	key: string;
}

export type Parsed<T> = { value: T } | { error: string } | { ignored: true };

/** Reads what the event's items are built from; never throws. */
export function parseDelivery(body: unknown): Parsed<Delivery> {
	if (!isObject(body)) return { error: 'the body is no JSON object' };
	if (typeof body.event !== 'string' || body.event === '') return { error: 'event is missing' };
	if (!READ_EVENTS.includes(body.event)) return { ignored: true };
	const event = body.event as CrispEvent;
	if (!isObject(body.data)) return { error: 'data is missing' };
	const data = body.data;
	const websiteId = idToString(body.website_id) ?? idToString(data.website_id);
	if (websiteId === null) return { error: 'website_id is missing' };
	const sessionId = idToString(data.session_id);
	if (sessionId === null) return { error: 'data.session_id is missing' };
	if (event === 'message:send' || event === 'message:received') {
		const fingerprint = idToString(data.fingerprint);
		if (fingerprint === null) return { error: 'data.fingerprint is missing' };
		return { value: { event, body, data, websiteId, sessionId, key: `${event}:${websiteId}:${sessionId}:${fingerprint}` } };
	}
	const timestamp = idToString(body.timestamp) ?? idToString(data.timestamp) ?? '';
	const value = event === 'session:set_state' ? idToString(data.state) ?? '' : assignedOperatorOf(data) ?? '';
	return { value: { event, body, data, websiteId, sessionId, key: `${event}:${websiteId}:${sessionId}:${value}:${timestamp}` } };
}

/** Who wrote it: from user → the customer; from operator → an operator, or a bot when `automated`; event messages → system. */
export function authorRole(delivery: Delivery): AuthorRole {
	const { data } = delivery;
	if (data.type === 'event') return 'system';
	if (delivery.event === 'message:send' || data.from === 'user') return 'customer';
	return data.automated === true ? 'bot' : 'agent';
}

export function isOwnMessage(data: IDataObject): boolean {
	return carriesMarker(data.origin);
}

export function isNote(data: IDataObject): boolean {
	return data.type === 'note';
}

/** Crisp's message content: a string (text, note), `{name, url, type}` (file), `{url, type, duration}` (audio), `{url, type}` (animation), `{text,…}` (picker, field). */
export function normalizeMessage(data: IDataObject): HandoffMessage {
	const content = data.content;
	const crispType = typeof data.type === 'string' ? data.type : 'text';
	if (typeof content === 'string') return withReadableText({ type: 'text', text: content, crispType });
	const object = isObject(content) ? content : {};
	const url = isHttpUrl(object.url) ? object.url : undefined;
	const mimeType = typeof object.type === 'string' ? object.type : '';
	let type: MessageType = 'other';
	if (url && (crispType === 'file' || crispType === 'audio' || crispType === 'animation')) {
		type = crispType === 'animation' || mimeType.startsWith('image/') ? 'image' : 'file';
	}
	const message: HandoffMessage = { type, text: typeof object.text === 'string' ? object.text : '', crispType };
	if (url && type !== 'other') {
		message.url = url;
		message.fileName = typeof object.name === 'string' && object.name !== '' ? object.name : fileNameFromUrl(url);
		if (mimeType) message.mimeType = mimeType;
	}
	return withReadableText(message);
}

function userOf(data: IDataObject): { id: string | null; name: string | null } {
	const user = isObject(data.user) ? data.user : {};
	const name = typeof user.nickname === 'string' && user.nickname.trim() !== '' ? user.nickname : null;
	return { id: idToString(user.user_id), name };
}

/**
 * The operator a routing change assigns. UNCONFIRMED: the event's fields beyond routing_id and
 * previous_routing_id (docs/platforms/crisp.md); `assigned.user_id` when given, else routing_id,
 * taken for the operator's user_id.
 */
function assignedOperatorOf(data: IDataObject): string | null {
	return (isObject(data.assigned) ? idToString(data.assigned.user_id) : null) ?? idToString(data.routing_id);
}

/** The contract's event for a delivery. */
export function contractEventOf(delivery: Delivery): HandoffEventName {
	if (delivery.event === 'message:send' || delivery.event === 'message:received') return 'message';
	if (delivery.event === 'session:set_state') return delivery.data.state === 'resolved' ? 'conversationClosed' : 'conversationUpdated';
	// Routed to nobody: a change of the conversation, no assignment.
	return assignedOperatorOf(delivery.data) === null ? 'conversationUpdated' : 'agentAssigned';
}

type CommonFields = Pick<HandoffEvent, 'event' | 'platform' | 'conversationId' | 'customerId' | 'raw'> & IDataObject;

function common(delivery: Delivery, event: HandoffEventName): CommonFields {
	const inboxId = idToString(delivery.data.inbox_id);
	return {
		event,
		platform: 'crisp',
		conversationId: delivery.sessionId,
		// A visitor's user_id is their session_id (docs/platforms/crisp.md).
		customerId: delivery.sessionId,
		websiteId: delivery.websiteId,
		inbox: inboxId === null ? null : { id: inboxId, name: null },
		crispEvent: delivery.event,
		raw: delivery.body,
	};
}

export function toEvent(delivery: Delivery): HandoffEvent {
	const event = contractEventOf(delivery);
	const { data, body } = delivery;
	if (event === 'message') {
		return {
			...common(delivery, event),
			author: { role: authorRole(delivery), ...userOf(data) },
			message: normalizeMessage(data),
			timestamp: toIsoTimestamp(data.timestamp ?? body.timestamp),
			messageId: idToString(data.fingerprint),
			messageType: typeof data.type === 'string' ? data.type : null,
			private: isNote(data),
			origin: typeof data.origin === 'string' ? data.origin : null,
		} as HandoffEvent;
	}
	const base = { ...common(delivery, event), message: null, timestamp: toIsoTimestamp(body.timestamp ?? data.timestamp) };
	if (delivery.event === 'session:set_state') {
		// No actor in the event: system.
		return { ...base, author: { role: 'system', id: null, name: null }, conversationStatus: idToString(data.state) } as HandoffEvent;
	}
	const assigned = assignedOperatorOf(data);
	return {
		...base,
		author: { role: 'system', id: null, name: null },
		assignedAgentId: assigned,
		previousAgentId: idToString(data.previous_routing_id),
	} as HandoffEvent;
}

/**
 * A message read back from `GET …/messages` as the delivery Crisp would have made of it (same
 * event, same data, so the same key and the same filters), marked `read_back` in `raw`. The
 * conversation's ids come from the delivery that read it back: it is that conversation's list.
 */
export function readBackBody(message: IDataObject, delivery: Delivery): IDataObject | null {
	const event = message.from === 'user' ? 'message:send' : message.from === 'operator' ? 'message:received' : null;
	if (event === null) return null;
	const data: IDataObject = { ...message, website_id: delivery.websiteId, session_id: delivery.sessionId };
	if (data.inbox_id === undefined && delivery.data.inbox_id !== undefined) data.inbox_id = delivery.data.inbox_id;
	return { website_id: delivery.websiteId, event, data, timestamp: message.timestamp, read_back: true };
}

import type { IDataObject } from 'n8n-workflow';

import type { AuthorRole, HandoffEvent, HandoffEventName, HandoffMessage, MessageType } from '../../shared';
import { fileNameFromUrl, idToString, isHttpUrl, isObject, numberOf, ownValue, toIsoTimestamp, withReadableText } from '../../shared';
import { carriesMarker } from '../marker';

/** The webhook events this trigger reads; others (typing, contacts, message_updated…) are answered 200 and dropped. */
export type ChatwootEvent =
	| 'message_created'
	| 'conversation_created'
	| 'conversation_status_changed'
	| 'conversation_updated'
	| 'conversation_opened'
	| 'conversation_resolved';

const READ_EVENTS: readonly string[] = [
	'message_created',
	'conversation_created',
	'conversation_status_changed',
	'conversation_updated',
	'conversation_opened',
	'conversation_resolved',
];

/** The trigger's Events (contract names) → the account-webhook subscriptions that bring them. */
const SUBSCRIPTIONS: Record<string, string[]> = {
	message: ['message_created'],
	conversationCreated: ['conversation_created'],
	conversationUpdated: ['conversation_status_changed'],
	// An open conversation with an agent, or an agent assigned (conversation_updated, assignee_id).
	agentAssigned: ['conversation_status_changed', 'conversation_updated'],
	conversationClosed: ['conversation_status_changed'],
};

export function subscriptionsFor(events: string[]): string[] {
	return [...new Set(events.flatMap((event) => ownValue(SUBSCRIPTIONS, event) ?? []))].sort();
}

/** Chatwoot's message types: strings in webhooks, integers in the API's lists (read back). */
const MESSAGE_TYPES = ['incoming', 'outgoing', 'activity', 'template'];

export function messageTypeOf(value: unknown): string {
	if (typeof value === 'number') return MESSAGE_TYPES[value] ?? 'unknown';
	return typeof value === 'string' ? value : 'unknown';
}

export interface Delivery {
	event: ChatwootEvent;
	body: IDataObject;
	/** The conversation's display id (the one in paths). */
	conversationId: string;
	/** The same for Chatwoot's retries of this delivery (agent bots retry; account webhooks do not). */
	key: string;
}

export type Parsed<T> = { value: T } | { error: string } | { ignored: true };

/** The conversation of a delivery: a message's `conversation`, else the conversation event's body itself. */
export function conversationOf(body: IDataObject, event: string): IDataObject {
	if (event === 'message_created') return isObject(body.conversation) ? body.conversation : {};
	return body;
}

/** `changed_attributes: [{<attribute>: {previous_value, current_value}}]` of a conversation event. */
export function changeOf(body: IDataObject, attribute: string): { previous: unknown; current: unknown } | undefined {
	const changes = Array.isArray(body.changed_attributes) ? (body.changed_attributes as unknown[]) : [];
	for (const change of changes) {
		const entry = isObject(change) ? ownValue(change, attribute) : undefined;
		if (isObject(entry)) return { previous: entry.previous_value, current: entry.current_value };
	}
	return undefined;
}

/** Reads what the event's items are built from; never throws. */
export function parseDelivery(body: unknown): Parsed<Delivery> {
	if (!isObject(body)) return { error: 'body must be a JSON object' };
	const event = body.event;
	if (typeof event !== 'string' || event === '') return { error: 'event is missing' };
	if (!READ_EVENTS.includes(event)) return { ignored: true };
	const conversation = conversationOf(body, event);
	const conversationId = idToString(conversation.id);
	if (event === 'message_created') {
		const messageId = idToString(body.id);
		if (messageId === null) return { error: 'id (the message) is missing' };
		if (conversationId === null) return { error: 'conversation.id is missing' };
		return { value: { event, body, conversationId, key: `message_created:${messageId}` } };
	}
	if (conversationId === null) return { error: 'id (the conversation) is missing' };
	const status = typeof body.status === 'string' ? body.status : '';
	// A conversation's version: the same in a retry, different in its next change.
	const version = idToString(body.updated_at) ?? idToString(body.timestamp) ?? '';
	const assignee = event === 'conversation_updated' ? `:${idToString(changeOf(body, 'assignee_id')?.current) ?? ''}` : '';
	return { value: { event: event as ChatwootEvent, body, conversationId, key: `${event}:${conversationId}:${status}${assignee}:${version}` } };
}

/** Who wrote it: sender.type contact → customer, user → agent, agent_bot → bot; without a type, by message_type. */
export function senderRole(sender: unknown, messageType: string): AuthorRole {
	const type = isObject(sender) && typeof sender.type === 'string' ? sender.type.toLowerCase() : '';
	if (type === 'contact') return 'customer';
	if (type === 'user') return 'agent';
	if (type === 'agent_bot' || type === 'agentbot') return 'bot';
	// A recorded contact sender lacked its type (docs/platforms/chatwoot.md).
	if (messageType === 'incoming') return 'customer';
	return 'system';
}

export function isOwnMessage(body: IDataObject): boolean {
	return carriesMarker(body.content_attributes);
}

/** The first attachment decides the type: images as image, a location as location, other files as file. */
export function normalizeMessage(body: IDataObject): HandoffMessage {
	const attachments = Array.isArray(body.attachments) ? (body.attachments as unknown[]).filter(isObject) : [];
	const first = attachments[0];
	const text = typeof body.content === 'string' ? body.content : '';
	let type: MessageType = 'text';
	const message: HandoffMessage = { type, text };
	if (first) {
		const fileType = typeof first.file_type === 'string' ? first.file_type : 'file';
		const url = isHttpUrl(first.data_url) ? first.data_url : undefined;
		type = fileType === 'image' ? 'image' : fileType === 'location' ? 'location' : fileType === 'fallback' ? 'other' : 'file';
		message.type = type;
		if (type === 'location') {
			const latitude = numberOf(first.coordinates_lat);
			const longitude = numberOf(first.coordinates_long);
			if (Number.isFinite(latitude) && Number.isFinite(longitude)) Object.assign(message, { latitude, longitude });
		} else if (url) {
			message.url = url;
			message.fileName = fileNameFromUrl(url);
		}
		if (attachments.length > 1) message.attachments = attachments.length;
	}
	if (typeof body.content_type === 'string') message.chatwootContentType = body.content_type;
	return withReadableText(message);
}

function person(value: unknown): { id: string | null; name: string | null } {
	if (!isObject(value)) return { id: null, name: null };
	const name = typeof value.name === 'string' && value.name.trim() !== '' ? value.name : null;
	return { id: idToString(value.id), name };
}

function namedObject(value: unknown): IDataObject | null {
	const { id, name } = person(value);
	return id === null ? null : { id, name };
}

/** The contact of the conversation: `meta.sender`, else the contact_inbox's contact. */
function customerIdOf(conversation: IDataObject): string | null {
	const meta = isObject(conversation.meta) ? conversation.meta : {};
	const contactInbox = isObject(conversation.contact_inbox) ? conversation.contact_inbox : {};
	return person(meta.sender).id ?? idToString(contactInbox.contact_id);
}

/**
 * The contact's `identifier` (your system's ID for the customer, as Contact → Get or Create sets it),
 * from the conversation's `meta.sender`: what a relay finds the customer on the other side by.
 */
function contactIdentifierOf(conversation: IDataObject): string | null {
	const meta = isObject(conversation.meta) ? conversation.meta : {};
	const sender = isObject(meta.sender) ? meta.sender : {};
	return typeof sender.identifier === 'string' && sender.identifier !== '' ? sender.identifier : null;
}

function assigneeOf(conversation: IDataObject): IDataObject | null {
	const meta = isObject(conversation.meta) ? conversation.meta : {};
	return namedObject(meta.assignee);
}

function teamOf(conversation: IDataObject): IDataObject | null {
	const meta = isObject(conversation.meta) ? conversation.meta : {};
	return namedObject(meta.team);
}

/**
 * The handoff a status change is (named as the package names it elsewhere): pending → open is to
 * the humans, open → pending back to the bot; anything else none.
 */
export function handoffOf(previous: unknown, current: unknown): 'toHumans' | 'toBot' | null {
	if (previous === 'pending' && current === 'open') return 'toHumans';
	if (previous === 'open' && current === 'pending') return 'toBot';
	return null;
}

/** The contract's event for a conversation delivery; null for one that is none of them (an update of something else). */
export function contractEventOf(delivery: Delivery): HandoffEventName | null {
	const { body, event } = delivery;
	if (event === 'message_created') return 'message';
	if (event === 'conversation_created') return 'conversationCreated';
	if (event === 'conversation_updated') {
		const assignee = changeOf(body, 'assignee_id');
		return assignee && idToString(assignee.current) !== null ? 'agentAssigned' : null;
	}
	const status = typeof body.status === 'string' ? body.status : event === 'conversation_resolved' ? 'resolved' : 'open';
	if (status === 'resolved') return 'conversationClosed';
	if (status === 'open' && assigneeOf(body) !== null) return 'agentAssigned';
	return 'conversationUpdated';
}

/**
 * UNCONFIRMED: who changed a conversation. Newer servers capture the actor (lib/webhooks/event_actor.rb,
 * `{type, id}`); the field's name in the payload is not documented. Without it: system.
 */
function actorOf(body: IDataObject): HandoffEvent['author'] {
	const actor = isObject(body.performed_by) ? body.performed_by : isObject(body.actor) ? body.actor : undefined;
	if (!actor) return { role: 'system', id: null, name: null };
	const type = typeof actor.type === 'string' ? actor.type : '';
	const role: AuthorRole = type === 'user' ? 'agent' : type === 'agent_bot' ? 'bot' : type === 'contact' ? 'customer' : 'system';
	return { role, ...person(actor) };
}

function inboxOf(body: IDataObject, conversation: IDataObject): IDataObject | null {
	return namedObject(body.inbox) ?? (idToString(conversation.inbox_id) !== null ? { id: idToString(conversation.inbox_id), name: null } : null);
}

function messageEvent(delivery: Delivery): HandoffEvent {
	const { body } = delivery;
	const conversation = conversationOf(body, 'message_created');
	const messageType = messageTypeOf(body.message_type);
	const sender = person(body.sender);
	return {
		event: 'message',
		platform: 'chatwoot',
		conversationId: delivery.conversationId,
		customerId: customerIdOf(conversation) ?? (senderRole(body.sender, messageType) === 'customer' ? sender.id : null),
		contactIdentifier: contactIdentifierOf(conversation),
		author: { role: senderRole(body.sender, messageType), ...sender },
		message: normalizeMessage(body),
		timestamp: toIsoTimestamp(body.created_at),
		messageId: idToString(body.id),
		messageType,
		private: body.private === true,
		conversationStatus: typeof conversation.status === 'string' ? conversation.status : null,
		assignedAgentId: assigneeOf(conversation)?.id ?? null,
		inbox: inboxOf(body, conversation),
		chatwootEvent: delivery.event,
		raw: body,
	};
}

function conversationEvent(delivery: Delivery, event: HandoffEventName): HandoffEvent {
	const { body } = delivery;
	const status = typeof body.status === 'string' ? body.status : null;
	const previous = changeOf(body, 'status')?.previous;
	const assignee = assigneeOf(body);
	return {
		event,
		platform: 'chatwoot',
		conversationId: delivery.conversationId,
		customerId: customerIdOf(body),
		contactIdentifier: contactIdentifierOf(body),
		author: actorOf(body),
		message: null,
		timestamp: toIsoTimestamp(body.updated_at ?? body.timestamp ?? body.created_at),
		conversationStatus: status,
		previousStatus: typeof previous === 'string' ? previous : null,
		handoff: handoffOf(previous, status),
		assignedAgentId: assignee?.id ?? null,
		assignee,
		team: teamOf(body),
		inbox: inboxOf(body, body),
		customAttributes: isObject(body.custom_attributes) ? body.custom_attributes : {},
		chatwootEvent: delivery.event,
		raw: body,
	};
}

/** The package's event for a delivery, or null when it maps to none (see contractEventOf). */
export function toEvent(delivery: Delivery): HandoffEvent | null {
	const event = contractEventOf(delivery);
	if (event === null) return null;
	return event === 'message' ? messageEvent(delivery) : conversationEvent(delivery, event);
}

/**
 * A message as the API lists it (`GET …/messages`: message_type an integer, no conversation) in the
 * shape of a delivery, beside the conversation of the delivery that brought it; `read_back: true`
 * says it is no delivery Chatwoot made.
 */
export function readBackBody(message: IDataObject, delivery: Delivery): IDataObject {
	const { body } = delivery;
	return {
		...message,
		event: 'message_created',
		message_type: messageTypeOf(message.message_type),
		conversation: body.conversation,
		inbox: body.inbox,
		account: body.account,
		read_back: true,
	};
}

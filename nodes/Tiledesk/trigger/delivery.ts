import type { IDataObject } from 'n8n-workflow';

import type { AuthorRole, HandoffEvent, HandoffMessage, MessageType } from '../../shared';
import { isObject, parseRequestId, withReadableText } from '../../shared';
import { carriesMarker, EXTERNAL_ID_ATTRIBUTE } from '../marker';
import { idOf, integerOf, isAbsent, isoTime, timeMs } from '../values';

/** The REST-hook events this trigger subscribes to, and the names its items carry. */
export const TILEDESK_EVENTS = {
	'message.create': 'message',
	'request.create': 'conversationCreated',
	'request.update': 'conversationUpdated',
	'request.close': 'conversationClosed',
} as const;

export type TiledeskEvent = keyof typeof TILEDESK_EVENTS;

export function isTiledeskEvent(value: unknown): value is TiledeskEvent {
	return typeof value === 'string' && Object.prototype.hasOwnProperty.call(TILEDESK_EVENTS, value);
}

/**
 * The payload times an event's `timestamp` is taken from, first present first, before the
 * delivery's own `timestamp` (see docs/platforms/tiledesk.md).
 */
const EVENT_TIMES: Record<TiledeskEvent, string[]> = {
	'message.create': ['createdAt'],
	'request.create': ['createdAt'],
	'request.update': ['updatedAt'],
	'request.close': ['closed_at', 'updatedAt'],
};

/** A request's version: the same request delivered again carries the same `updatedAt`. */
const REQUEST_VERSION = 'updatedAt';

/**
 * What a delivery `{timestamp, payload, hook, token}` claims about where it comes from: the
 * subscription (`hook._id`), its event and the projects it names. Read before anything else of it
 * (see docs/platforms/tiledesk.md).
 */
export interface Envelope {
	subscriptionId: string;
	event: string;
	/** `hook.id_project` and `payload.id_project` as sent; null for one that is not a string. */
	projects: Array<string | null>;
	timestamp: unknown;
	payload: IDataObject;
	hook: IDataObject;
	/** The delivery without its `token`. */
	body: IDataObject;
}

/** A delivery of one of our events whose content the trigger can read. */
export interface Delivery extends Envelope {
	event: TiledeskEvent;
	/** The event's own time (ISO 8601); null when the delivery sent none. */
	at: string | null;
	/** The same for Tiledesk's retries of this delivery (see deliveryKey). */
	key: string;
}

export type Parsed<T> = { value: T } | { error: string };

function nonEmptyString(value: unknown): value is string {
	return typeof value === 'string' && value !== '';
}

/** The projects a delivery names: the subscription's and the event's (they differ for a global subscription). */
function namedProjects(hook: IDataObject, payload: IDataObject): Array<string | null> {
	return [hook.id_project, payload.id_project]
		.filter((value) => !isAbsent(value))
		.map((value) => (typeof value === 'string' ? value : null));
}

/** Checks the envelope's shape; anything else is a 400 with the first problem found. */
export function parseEnvelope(body: unknown): Parsed<Envelope> {
	if (!isObject(body)) return { error: 'body must be a JSON object' };
	const hook = body.hook;
	if (!isObject(hook) || !nonEmptyString(hook.event)) return { error: 'body.hook.event is missing' };
	if (!nonEmptyString(hook._id)) return { error: 'body.hook._id is missing' };
	if (!isObject(body.payload)) return { error: 'body.payload must be an object' };
	// `token` is a JWT Tiledesk accepts as the subscription's login: it stays out of execution data.
	const { token: _token, ...withoutToken } = body;
	return {
		value: {
			subscriptionId: hook._id,
			event: hook.event,
			projects: namedProjects(hook, body.payload),
			timestamp: body.timestamp,
			payload: body.payload,
			hook,
			body: withoutToken,
		},
	};
}

/** The first time field that was sent but is not a time, as the 400's reason names it. */
function badTime(envelope: Envelope, fields: string[]): string | undefined {
	if (!isAbsent(envelope.timestamp) && timeMs(envelope.timestamp) === null) return 'body.timestamp';
	const bad = fields.find((field) => !isAbsent(envelope.payload[field]) && timeMs(envelope.payload[field]) === null);
	return bad === undefined ? undefined : `payload.${bad}`;
}

function firstTime(values: unknown[]): string | null {
	for (const value of values) {
		const iso = isoTime(value);
		if (iso !== null) return iso;
	}
	return null;
}

/** The id that stays the same when Tiledesk delivers the same thing again. */
function deliveryKey(event: TiledeskEvent, payload: IDataObject, timestamp: unknown): string {
	if (event === 'message.create') return `message:${idOf(payload._id) ?? ''}`;
	const id = idOf(payload._id) ?? String(payload.request_id);
	return `${event}:${id}:${firstTime([payload[REQUEST_VERSION], timestamp]) ?? ''}`;
}

/** Checks what the event's items are built from; anything else is a 400 with the first problem found. */
export function parseDelivery(envelope: Envelope, event: TiledeskEvent): Parsed<Delivery> {
	const { payload } = envelope;
	if (event === 'message.create') {
		if (idOf(payload._id) === null) return { error: 'payload._id is missing' };
		if (!nonEmptyString(payload.sender)) return { error: 'payload.sender is missing' };
		if (!nonEmptyString(payload.recipient)) return { error: 'payload.recipient is missing' };
	} else if (!nonEmptyString(payload.request_id)) {
		return { error: 'payload.request_id is missing' };
	}
	const fields = event === 'message.create' ? EVENT_TIMES[event] : [...EVENT_TIMES[event], REQUEST_VERSION];
	const bad = badTime(envelope, fields);
	if (bad !== undefined) return { error: `${bad} is not a time` };
	const at = firstTime([...EVENT_TIMES[event].map((field) => payload[field]), envelope.timestamp]);
	return { value: { ...envelope, event, at, key: deliveryKey(event, payload, envelope.timestamp) } };
}

/** The end user's id: the request's lead (populated object, or its snapshot). */
export function leadId(request: IDataObject | undefined): string | null {
	if (!isObject(request)) return null;
	if (isObject(request.lead) && nonEmptyString(request.lead.lead_id)) return request.lead.lead_id;
	const snapshot = isObject(request.snapshot) ? request.snapshot : undefined;
	if (snapshot && isObject(snapshot.lead) && nonEmptyString(snapshot.lead.lead_id)) return snapshot.lead.lead_id;
	return null;
}

/**
 * Who wrote it, by Tiledesk's rules: "system" → system, `bot_…` → bot, the request's lead →
 * the end user, anyone else (a participating agent, a project member) → agent.
 */
export function senderRole(sender: unknown, request: IDataObject | undefined): AuthorRole {
	const id = idOf(sender);
	if (id === 'system') return 'system';
	if (id?.startsWith('bot_')) return 'bot';
	if (id !== null && id === leadId(request)) return 'customer';
	return 'agent';
}

/** `attributes.subtype` "info" or "info/support": lines such as "agent joined", "chat closed". */
export function isInfoLine(message: IDataObject): boolean {
	const attributes = isObject(message.attributes) ? message.attributes : {};
	return typeof attributes.subtype === 'string' && attributes.subtype.startsWith('info');
}

export function isOwnMessage(message: IDataObject): boolean {
	return carriesMarker(message.attributes);
}

/** Tiledesk's message types → the package's; images and files carry their URL in metadata.src. */
export function normalizeMessage(message: IDataObject): HandoffMessage {
	const kind = typeof message.type === 'string' ? message.type.toLowerCase() : 'text';
	const metadata = isObject(message.metadata) ? message.metadata : {};
	const url = nonEmptyString(metadata.src) ? metadata.src : undefined;
	let type: MessageType = 'other';
	if (kind === 'text') type = 'text';
	else if (kind === 'image') type = 'image';
	else if (kind === 'file') type = 'file';
	const text = typeof message.text === 'string' ? message.text : '';
	const normalized: HandoffMessage = { type, text, tiledeskType: kind, info: isInfoLine(message) };
	if (url) normalized.url = url;
	if (nonEmptyString(metadata.name)) normalized.fileName = metadata.name;
	if (nonEmptyString(metadata.type)) normalized.mimeType = metadata.type;
	return withReadableText(normalized);
}

/** The request's department (populated, or its id); null without a readable id. */
function department(request: IDataObject | undefined): IDataObject | null {
	const value = request?.department;
	const id = isObject(value) ? idOf(value._id ?? value.id) : idOf(value);
	if (id === null) return null;
	return { id, name: isObject(value) ? idOf(value.name) : null };
}

/** The exact id from the conversation's attributes (set by the Tiledesk node), else decoded from the request id. */
function externalIdOf(requestId: string, request: IDataObject | undefined, projectId: string | undefined): string | null {
	const attributes = request && isObject(request.attributes) ? request.attributes : {};
	if (nonEmptyString(attributes[EXTERNAL_ID_ATTRIBUTE])) return attributes[EXTERNAL_ID_ATTRIBUTE];
	return parseRequestId(requestId, projectId)?.externalId ?? null;
}

function transcriptEntry(message: IDataObject, request: IDataObject): IDataObject {
	return {
		id: idOf(message._id),
		author: {
			role: senderRole(message.sender, request),
			id: idOf(message.sender),
			name: idOf(message.senderFullname),
		},
		message: normalizeMessage(message),
		// Optional per entry: a message without a readable time keeps its place, with null.
		timestamp: isoTime(message.createdAt),
		own: isOwnMessage(message),
	};
}

/** `request.close` payloads carry the conversation's messages; oldest first, as agents saw them. */
export function transcript(request: IDataObject): IDataObject[] {
	const messages = Array.isArray(request.messages) ? (request.messages as unknown[]).filter(isObject) : [];
	return messages
		.map((message, position) => ({ message, position, at: timeMs(message.createdAt) ?? 0 }))
		.sort((a, b) => a.at - b.at || a.position - b.position)
		.map(({ message }) => transcriptEntry(message, request));
}

function messageEvent(delivery: Delivery, project: string | undefined): HandoffEvent {
	const { payload } = delivery;
	const request = isObject(payload.request) ? payload.request : undefined;
	const requestId = String(payload.recipient);
	return {
		event: TILEDESK_EVENTS[delivery.event],
		platform: 'tiledesk',
		conversationId: requestId,
		customerId: leadId(request),
		author: {
			role: senderRole(payload.sender, request),
			id: idOf(payload.sender),
			name: idOf(payload.senderFullname),
		},
		message: normalizeMessage(payload),
		timestamp: delivery.at ?? new Date().toISOString(),
		externalId: externalIdOf(requestId, request, project),
		requestStatus: integerOf(request?.status),
		department: department(request),
		messageId: idOf(payload._id),
		tiledeskEvent: delivery.event,
		raw: delivery.body,
	};
}

function requestEvent(delivery: Delivery, project: string | undefined): HandoffEvent {
	const request = delivery.payload;
	const requestId = String(request.request_id);
	const closedBy = delivery.event === 'request.close' ? idOf(request.closed_by) : null;
	const normalized: HandoffEvent = {
		event: TILEDESK_EVENTS[delivery.event],
		platform: 'tiledesk',
		conversationId: requestId,
		customerId: leadId(request),
		author: closedBy
			? { role: senderRole(closedBy, request), id: closedBy, name: null }
			: { role: 'system', id: null, name: null },
		message: null,
		timestamp: delivery.at ?? new Date().toISOString(),
		externalId: externalIdOf(requestId, request, project),
		requestStatus: integerOf(request.status),
		department: department(request),
		participants: Array.isArray(request.participants) ? request.participants : [],
		attributes: isObject(request.attributes) ? request.attributes : {},
		tiledeskEvent: delivery.event,
		raw: delivery.body,
	};
	if (delivery.event === 'request.close') normalized.transcript = transcript(request);
	return normalized;
}

/** The package's event for a delivery; without any time in it, the time it arrived. */
export function toEvent(delivery: Delivery, projectId?: string): HandoffEvent {
	const project = projectId || (nonEmptyString(delivery.payload.id_project) ? delivery.payload.id_project : undefined);
	return delivery.event === 'message.create' ? messageEvent(delivery, project) : requestEvent(delivery, project);
}

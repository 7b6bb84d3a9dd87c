import type { IDataObject } from 'n8n-workflow';

import type { AuthorRole, HandoffEvent, HandoffMessage, MessageType } from '../../shared';
import { idToString, toIsoTimestamp } from '../../shared';
import { parseRequestId } from '../conversationId';
import { carriesMarker, EXTERNAL_ID_ATTRIBUTE } from '../marker';

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

/** A delivery `{timestamp, payload, hook, token}` (see docs/platforms.md). */
export interface Delivery {
	event: string;
	timestamp: unknown;
	payload: IDataObject;
	hook: IDataObject;
	/** The delivery without its `token`. */
	body: IDataObject;
}

export type ParsedDelivery = { delivery: Delivery } | { error: string };

function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): value is string {
	return typeof value === 'string' && value !== '';
}

/** Checks the shape we rely on; anything else is a 400 with the first problem found. */
export function parseDelivery(body: unknown): ParsedDelivery {
	if (!isObject(body)) return { error: 'body must be a JSON object' };
	if (!isObject(body.hook) || !nonEmptyString(body.hook.event)) return { error: 'body.hook.event is missing' };
	if (!isObject(body.payload)) return { error: 'body.payload must be an object' };
	const event = body.hook.event;
	const payload = body.payload;
	if (event === 'message.create') {
		if (idToString(payload._id) === null) return { error: 'payload._id is missing' };
		if (!nonEmptyString(payload.sender)) return { error: 'payload.sender is missing' };
		if (!nonEmptyString(payload.recipient)) return { error: 'payload.recipient is missing' };
	} else if (event.startsWith('request.')) {
		if (!nonEmptyString(payload.request_id)) return { error: 'payload.request_id is missing' };
	}
	// `token` is a JWT Tiledesk accepts as the subscription's login: it stays out of execution data.
	const { token: _token, ...withoutToken } = body;
	return { delivery: { event, timestamp: body.timestamp, payload, hook: body.hook, body: withoutToken } };
}

/** The end user's id: the request's lead (populated object, or its snapshot). */
export function leadId(request: IDataObject | undefined): string | null {
	if (!request) return null;
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
	const id = idToString(sender);
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
	let text = typeof message.text === 'string' ? message.text : '';
	if (!text && url) text = url;
	const normalized: HandoffMessage = { type, text, tiledeskType: kind, info: isInfoLine(message) };
	if (url) normalized.url = url;
	if (nonEmptyString(metadata.name)) normalized.fileName = metadata.name;
	if (nonEmptyString(metadata.type)) normalized.mimeType = metadata.type;
	return normalized;
}

function department(request: IDataObject | undefined): IDataObject | null {
	const value = request?.department;
	if (isObject(value)) return { id: idToString(value._id ?? value.id), name: idToString(value.name) };
	const id = idToString(value);
	return id === null ? null : { id, name: null };
}

/** The exact id from the conversation's attributes (set by the Tiledesk node), else decoded from the request id. */
function externalIdOf(requestId: string, request: IDataObject | undefined, projectId: string | undefined): string | null {
	const attributes = request && isObject(request.attributes) ? request.attributes : {};
	if (nonEmptyString(attributes[EXTERNAL_ID_ATTRIBUTE])) return attributes[EXTERNAL_ID_ATTRIBUTE];
	return parseRequestId(requestId, projectId)?.externalId ?? null;
}

function transcriptEntry(message: IDataObject, request: IDataObject): IDataObject {
	return {
		id: idToString(message._id),
		author: {
			role: senderRole(message.sender, request),
			id: idToString(message.sender),
			name: idToString(message.senderFullname),
		},
		message: normalizeMessage(message),
		timestamp: toIsoTimestamp(message.createdAt),
		own: isOwnMessage(message),
	};
}

/** `request.close` payloads carry the conversation's messages; oldest first, as agents saw them. */
export function transcript(request: IDataObject): IDataObject[] {
	const messages = Array.isArray(request.messages) ? (request.messages as unknown[]).filter(isObject) : [];
	return messages
		.map((message, position) => ({ message, position, at: Date.parse(String(message.createdAt ?? '')) || 0 }))
		.sort((a, b) => a.at - b.at || a.position - b.position)
		.map(({ message }) => transcriptEntry(message, request));
}

/** The id that stays the same when Tiledesk delivers the same thing again. */
export function deliveryKey(delivery: Delivery): string {
	const { event, payload } = delivery;
	if (event === 'message.create') return `message:${String(payload._id)}`;
	return `${event}:${String(payload._id ?? payload.request_id)}:${String(payload.updatedAt ?? delivery.timestamp ?? '')}`;
}

export function toEvent(delivery: Delivery, projectId?: string): HandoffEvent {
	const { event, payload } = delivery;
	const name = isTiledeskEvent(event) ? TILEDESK_EVENTS[event] : event;
	const project = projectId || (nonEmptyString(payload.id_project) ? payload.id_project : undefined);

	if (event === 'message.create') {
		const request = isObject(payload.request) ? payload.request : undefined;
		const requestId = String(payload.recipient);
		return {
			event: name,
			platform: 'tiledesk',
			conversationId: requestId,
			customerId: leadId(request),
			author: {
				role: senderRole(payload.sender, request),
				id: idToString(payload.sender),
				name: idToString(payload.senderFullname),
			},
			message: normalizeMessage(payload),
			timestamp: toIsoTimestamp(payload.createdAt ?? delivery.timestamp),
			externalId: externalIdOf(requestId, request, project),
			requestStatus: typeof request?.status === 'number' ? request.status : null,
			department: department(request),
			messageId: idToString(payload._id),
			tiledeskEvent: event,
			raw: delivery.body,
		};
	}

	const request = payload;
	const requestId = String(request.request_id);
	const closedBy = event === 'request.close' ? idToString(request.closed_by) : null;
	const normalized: HandoffEvent = {
		event: name,
		platform: 'tiledesk',
		conversationId: requestId,
		customerId: leadId(request),
		author: closedBy
			? { role: senderRole(closedBy, request), id: closedBy, name: null }
			: { role: 'system', id: null, name: null },
		message: null,
		timestamp: toIsoTimestamp(
			(event === 'request.close' ? request.closed_at : undefined) ??
				(event === 'request.create' ? request.createdAt : request.updatedAt) ??
				delivery.timestamp,
		),
		externalId: externalIdOf(requestId, request, project),
		requestStatus: typeof request.status === 'number' ? request.status : null,
		department: department(request),
		participants: Array.isArray(request.participants) ? request.participants : [],
		attributes: isObject(request.attributes) ? request.attributes : {},
		tiledeskEvent: event,
		raw: delivery.body,
	};
	if (event === 'request.close') normalized.transcript = transcript(request);
	return normalized;
}

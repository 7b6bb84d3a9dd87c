import { createHash } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

import type { AuthorRole, HandoffEvent, HandoffMessage, MessageType } from '../../shared';
import { idToString, isObject, numberOf, ownValue, toIsoTimestamp, withReadableText } from '../../shared';

/** One element of a MessageHooks delivery `{"messages": [...]}` (see docs/platforms/landbot.md). */
export interface LandbotHookMessage extends IDataObject {
	type: string;
	timestamp: number;
	data: IDataObject;
	sender: IDataObject & { type: string };
	customer: IDataObject & { id: number | string; agent_id?: number | string | null };
	channel: IDataObject;
	_raw: IDataObject;
}

export type ParsedDelivery = { messages: LandbotHookMessage[] } | { error: string };

/** Checks the shape we rely on; anything else is a 400 with the first problem found. */
export function parseDelivery(body: unknown): ParsedDelivery {
	if (!isObject(body)) return { error: 'body must be a JSON object' };
	if (!Array.isArray(body.messages)) return { error: 'body.messages must be an array' };
	const messages: LandbotHookMessage[] = [];
	for (const [index, message] of (body.messages as unknown[]).entries()) {
		if (!isObject(message)) return { error: `messages[${index}] must be an object` };
		const customerId = isObject(message.customer) ? message.customer.id : undefined;
		if (customerId === undefined || customerId === null || customerId === '') {
			return { error: `messages[${index}].customer.id is missing` };
		}
		if (idToString(customerId) === null) return { error: `messages[${index}].customer.id is not an id` };
		if (!isObject(message.sender) || typeof message.sender.type !== 'string') {
			return { error: `messages[${index}].sender.type is missing` };
		}
		messages.push({
			...message,
			type: typeof message.type === 'string' ? message.type : 'text',
			timestamp: numberOf(message.timestamp) || 0,
			data: isObject(message.data) ? message.data : {},
			channel: isObject(message.channel) ? message.channel : {},
			_raw: isObject(message._raw) ? message._raw : {},
		} as LandbotHookMessage);
	}
	// A burst can arrive out of order by tens of ms; `timestamp` is the order the customer saw.
	messages.sort((a, b) => a.timestamp - b.timestamp);
	return { messages };
}

const ROLES: Record<string, AuthorRole> = { customer: 'customer', agent: 'agent', bot: 'bot', sys: 'system' };

export function authorRole(message: LandbotHookMessage): AuthorRole {
	return ownValue(ROLES, message.sender.type) ?? 'system';
}

/**
 * The key Landbot retries of one delivery share: the `sentry-trace` header, which Landbot's webhook
 * reference names as unique per message and stable across retries (docs/platforms/landbot.md);
 * without it, each message's own id.
 */
export function deliveryKey(sentryTrace: unknown, messages: LandbotHookMessage[]): string {
	const trace = typeof sentryTrace === 'string' ? sentryTrace.trim() : '';
	if (/^[0-9a-f]{32}-[0-9a-f]{16}(-[01])?$/i.test(trace)) return `sentry-trace:${trace.toLowerCase()}`;
	return messages.map(deliveryId).join(',');
}

/** The id that stays the same when Landbot retries a delivery. */
export function deliveryId(message: LandbotHookMessage): string {
	const uuid = message._raw.uuid;
	if (typeof uuid === 'string' && uuid !== '') return uuid;
	return createHash('sha256')
		.update(
			JSON.stringify([
				message.customer.id,
				message.timestamp,
				message.sender.type,
				message.sender.id,
				message.type,
				message.data,
			]),
		)
		.digest('hex');
}

function messageText(message: LandbotHookMessage): string {
	const { data, _raw } = message;
	for (const candidate of [data.body, data.text, data.caption, data.title, _raw.message]) {
		if (typeof candidate === 'string' && candidate !== '') return candidate;
	}
	return '';
}

/** Landbot's message types → the package's; unknown types keep their raw message and text. */
export function normalizeMessage(message: LandbotHookMessage): HandoffMessage {
	const text = messageText(message);
	const { data } = message;
	const url = typeof data.url === 'string' ? data.url : undefined;
	const kind = message.type.toLowerCase();
	let type: MessageType = 'other';
	if (kind === 'text') type = 'text';
	else if (kind === 'image' || kind === 'gif' || kind === 'sticker') type = 'image';
	else if (['file', 'document', 'audio', 'video'].includes(kind)) type = 'file';
	else if (kind === 'location') type = 'location';

	const normalized: HandoffMessage = { type, text, landbotType: message.type };
	if (url) normalized.url = url;
	if (type === 'location') {
		normalized.latitude = numberOf(data.latitude ?? data.lat);
		normalized.longitude = numberOf(data.longitude ?? data.lng ?? data.long);
		if (!text) normalized.text = `Location: ${normalized.latitude}, ${normalized.longitude}`;
	}
	return withReadableText(normalized);
}

export function handoffValue(message: LandbotHookMessage, field: string): string | null {
	const value = message.customer[field];
	if (value === null || value === undefined) return null;
	const text = typeof value === 'object' ? JSON.stringify(value) : String(value).trim();
	return text === '' ? null : text;
}

export function toEvent(
	event: 'message' | 'handoffInterrupted',
	message: LandbotHookMessage,
	handoffField: string,
): HandoffEvent {
	const customerId = String(message.customer.id);
	return {
		event,
		platform: 'landbot',
		conversationId: customerId,
		customerId,
		author: {
			role: authorRole(message),
			id: idToString(message.sender.id),
			name: typeof message.sender.name === 'string' && message.sender.name ? message.sender.name : null,
		},
		message: normalizeMessage(message),
		timestamp: toIsoTimestamp(message.timestamp),
		handoffConversationId: handoffValue(message, handoffField),
		assignedAgentId: idToString(message.customer.agent_id),
		channel: message.channel,
		customer: message.customer,
		raw: message,
	};
}

import { createHash } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

import type { HandoffEvent, HandoffEventName } from '../../shared';
import { idToString, isObject, secretsMatch, toIsoTimestamp } from '../../shared';
import { PROPERTY_CUSTOMER_EXTERNAL_ID, PROPERTY_EXTERNAL_ID, PROPERTY_EXTERNAL_PLATFORM } from '../marker';
import { isMessageEvent, isOwnEvent, nonEmptyString, normalizeMessage, roleOfUserId } from './messages';

// Reading what an event is made of lives in messages.ts; the trigger takes it from here too.
export { isMessageEvent, isOwnChat, isOwnEvent, normalizeMessage, roleOfUserId } from './messages';

/** The trigger's events: the webhook action each registers and the event name its items carry. */
export const LIVECHAT_EVENTS = {
	agentMessage: { action: 'incoming_event', event: 'message' },
	chatDeactivated: { action: 'chat_deactivated', event: 'conversationClosed' },
	chatTransferred: { action: 'chat_transferred', event: 'conversationTransferred' },
	incomingChat: { action: 'incoming_chat', event: 'conversationCreated' },
} as const;

export type LiveChatTriggerEvent = keyof typeof LIVECHAT_EVENTS;
export type LiveChatAction = (typeof LIVECHAT_EVENTS)[LiveChatTriggerEvent]['action'];

export function isTriggerEvent(value: unknown): value is LiveChatTriggerEvent {
	return typeof value === 'string' && Object.prototype.hasOwnProperty.call(LIVECHAT_EVENTS, value);
}

export function actionOf(event: LiveChatTriggerEvent): LiveChatAction {
	return LIVECHAT_EVENTS[event].action;
}

/**
 * A webhook delivery `{webhook_id, secret_key, action, organization_id, payload, additional_data?}`
 * (docs/platforms/livechat.md, "Webhooks").
 */
export interface Delivery {
	action: string;
	webhookId: string | null;
	organizationId: string | null;
	payload: IDataObject;
	additionalData: IDataObject;
	/** The delivery without its `secret_key`. */
	body: IDataObject;
}

export type ParsedDelivery = { delivery: Delivery } | { error: string };

/** One webhook the trigger registered, as kept in the workflow's static data. */
export interface StoredWebhook {
	id: string;
	action: string;
	secret: string;
}

/** The three fields that say who sent a delivery, read before anything else of the body is trusted. */
export interface Envelope {
	secretKey: unknown;
	action: unknown;
	webhookId: unknown;
}

export function envelopeOf(body: unknown): Envelope {
	const fields = isObject(body) ? body : {};
	return { secretKey: fields.secret_key, action: fields.action, webhookId: fields.webhook_id };
}

/**
 * Whether the delivery comes from one of our webhooks: its secret is that webhook's, and so are its
 * action and webhook_id (a secret authenticates only what it was registered for). Every secret is
 * compared, in constant time each, so the time taken does not tell which one matched.
 */
export function isOurDelivery(webhooks: StoredWebhook[], envelope: Envelope): boolean {
	let match: StoredWebhook | undefined;
	for (const webhook of webhooks) {
		if (secretsMatch(webhook.secret, envelope.secretKey)) match = webhook;
	}
	return match !== undefined && match.action === envelope.action && match.id === envelope.webhookId;
}

/** The shape we rely on, checked after the secret; anything else is a 400 with the first problem found. */
export function parseDelivery(body: IDataObject): ParsedDelivery {
	if (!nonEmptyString(body.action)) return { error: 'body.action is missing' };
	if (!isObject(body.payload)) return { error: 'body.payload must be an object' };
	const { action, payload } = body;
	if (action === 'incoming_event') {
		if (!nonEmptyString(payload.chat_id)) return { error: 'payload.chat_id is missing' };
		if (!isObject(payload.event)) return { error: 'payload.event must be an object' };
		if (!nonEmptyString(payload.event.id)) return { error: 'payload.event.id is missing' };
	} else if (action === 'chat_deactivated' || action === 'chat_transferred') {
		if (!nonEmptyString(payload.chat_id)) return { error: 'payload.chat_id is missing' };
		if (action === 'chat_transferred' && payload.transferred_to !== undefined && !isObject(payload.transferred_to)) {
			return { error: 'payload.transferred_to must be an object' };
		}
		if (action === 'chat_transferred' && payload.queue !== undefined && payload.queue !== null && !isObject(payload.queue)) {
			return { error: 'payload.queue must be an object' };
		}
	} else if (action === 'incoming_chat') {
		if (!isObject(payload.chat) || !nonEmptyString(payload.chat.id)) return { error: 'payload.chat.id is missing' };
	}
	// The secret never reaches execution data (nor logs, nor the workflow's history).
	const { secret_key: _secret, ...withoutSecret } = body;
	return {
		delivery: {
			action,
			webhookId: idToString(body.webhook_id),
			organizationId: idToString(body.organization_id),
			payload,
			additionalData: isObject(body.additional_data) ? body.additional_data : {},
			body: withoutSecret,
		},
	};
}

/**
 * This package's chat properties, from `additional_data.chat_properties` (or a chat's own
 * `properties`), in the namespace of the credential's Client ID. Without a Client ID, the first
 * namespace that holds an external_id.
 */
export function handoffProperties(properties: unknown, clientId: string): IDataObject {
	if (!isObject(properties)) return {};
	if (clientId && isObject(properties[clientId])) return properties[clientId];
	if (!clientId) {
		for (const value of Object.values(properties)) {
			if (isObject(value) && nonEmptyString(value[PROPERTY_EXTERNAL_ID])) return value;
		}
	}
	return {};
}

/** An id as part of a delivery key; anything else (an object whose String() would throw) as its JSON. */
const keyPart = (value: unknown): string => idToString(value) ?? (value === undefined ? '' : JSON.stringify(value));

/** The id that stays the same when LiveChat delivers the same thing again (3 retries within about a minute). */
export function deliveryKey(delivery: Delivery): string {
	const { action, payload } = delivery;
	if (action === 'incoming_event') return `event:${keyPart(payload.chat_id)}:${keyPart((payload.event as IDataObject).id)}`;
	if (action === 'incoming_chat') {
		const chat = payload.chat as IDataObject;
		const thread = isObject(chat.thread) ? chat.thread : {};
		return `chat:${keyPart(chat.id)}:${keyPart(thread.id)}`;
	}
	if (action === 'chat_deactivated') return `deactivated:${keyPart(payload.chat_id)}:${keyPart(payload.thread_id)}`;
	// A transfer has no id of its own: the whole payload is its identity.
	return `${action}:${createHash('sha256').update(JSON.stringify(payload)).digest('hex')}`;
}

/** Payloads name users by ID only; no ID means LiveChat itself (router, system messages). */
function author(id: unknown): HandoffEvent['author'] {
	const userId = idToString(id);
	return { role: roleOfUserId(userId), id: userId, name: null };
}

function chatUsers(chat: IDataObject): IDataObject[] {
	return Array.isArray(chat.users) ? (chat.users as unknown[]).filter(isObject) : [];
}

function transferOf(payload: IDataObject): IDataObject {
	const to = isObject(payload.transferred_to) ? payload.transferred_to : {};
	const queue = isObject(payload.queue) ? payload.queue : null;
	return {
		reason: idToString(payload.reason),
		requesterId: idToString(payload.requester_id),
		groupIds: Array.isArray(to.group_ids) ? to.group_ids : [],
		agentIds: Array.isArray(to.agent_ids) ? to.agent_ids : [],
		queued: queue !== null,
		queue: queue
			? {
					position: typeof queue.position === 'number' ? queue.position : null,
					waitTime: typeof queue.wait_time === 'number' ? queue.wait_time : null,
					queuedAt: idToString(queue.queued_at),
				}
			: null,
	};
}

export function toEvent(delivery: Delivery, clientId: string): HandoffEvent {
	const { action, payload, additionalData } = delivery;
	const event: HandoffEventName =
		Object.values(LIVECHAT_EVENTS).find((entry) => entry.action === action)?.event ?? 'conversationClosed';
	const fromWebhook = handoffProperties(additionalData.chat_properties, clientId);
	const common = (properties: IDataObject) => ({
		externalId: idToString(properties[PROPERTY_EXTERNAL_ID]),
		externalPlatform: idToString(properties[PROPERTY_EXTERNAL_PLATFORM]),
		customerExternalId: idToString(properties[PROPERTY_CUSTOMER_EXTERNAL_ID]),
		chatProperties: isObject(additionalData.chat_properties) ? additionalData.chat_properties : null,
		livechatAction: action,
		organizationId: delivery.organizationId,
		raw: delivery.body,
	});

	if (action === 'incoming_event') {
		const lcEvent = payload.event as IDataObject;
		return {
			event,
			platform: 'livechat',
			conversationId: String(payload.chat_id),
			threadId: idToString(payload.thread_id),
			customerId: null,
			author: author(lcEvent.author_id),
			message: normalizeMessage(lcEvent),
			timestamp: toIsoTimestamp(lcEvent.created_at),
			messageId: idToString(lcEvent.id),
			customId: idToString(lcEvent.custom_id),
			...common(fromWebhook),
		};
	}

	if (action === 'incoming_chat') {
		const chat = payload.chat as IDataObject;
		const thread = isObject(chat.thread) ? chat.thread : {};
		const events = Array.isArray(thread.events) ? (thread.events as unknown[]).filter(isObject) : [];
		const customer = chatUsers(chat).find((user) => user.type === 'customer');
		const first = events.find(isMessageEvent);
		const properties = Object.keys(fromWebhook).length > 0 ? fromWebhook : handoffProperties(chat.properties, clientId);
		const access = isObject(chat.access) ? chat.access : isObject(thread.access) ? thread.access : {};
		return {
			event,
			platform: 'livechat',
			conversationId: String(chat.id),
			threadId: idToString(thread.id),
			customerId: customer ? idToString(customer.id) : null,
			author: first ? author(first.author_id) : { role: 'system', id: null, name: null },
			message: first ? normalizeMessage(first) : null,
			timestamp: toIsoTimestamp(thread.created_at ?? first?.created_at),
			customer: customer ?? null,
			groupIds: Array.isArray(access.group_ids) ? access.group_ids : [],
			transcript: events.map((entry) => ({
				id: idToString(entry.id),
				author: author(entry.author_id),
				message: normalizeMessage(entry),
				timestamp: toIsoTimestamp(entry.created_at),
				own: isOwnEvent(entry),
			})),
			...common(properties),
		};
	}

	if (action === 'chat_transferred') {
		const transfer = transferOf(payload);
		return {
			event,
			platform: 'livechat',
			conversationId: String(payload.chat_id),
			threadId: idToString(payload.thread_id),
			customerId: null,
			author: author(payload.requester_id),
			message: null,
			timestamp: toIsoTimestamp(transfer.queue ? (transfer.queue as IDataObject).queuedAt : undefined),
			transfer,
			...common(fromWebhook),
		};
	}

	// chat_deactivated: user_id is missing when LiveChat's router closed the thread.
	return {
		event,
		platform: 'livechat',
		conversationId: String(payload.chat_id),
		threadId: idToString(payload.thread_id),
		customerId: null,
		author: author(payload.user_id),
		message: null,
		timestamp: toIsoTimestamp(undefined),
		...common(fromWebhook),
	};
}

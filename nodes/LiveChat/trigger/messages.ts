import type { IDataObject } from 'n8n-workflow';

import type { AuthorRole, HandoffMessage, MessageType } from '../../shared';
import { idToString, isObject, withReadableText } from '../../shared';
import { isOwnCustomId } from '../marker';

// What a LiveChat event says: who wrote it (by the form of their ID), its message in the package's
// shape, and whether this package wrote it (its custom_id).

export function nonEmptyString(value: unknown): value is string {
	return typeof value === 'string' && value !== '';
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const BOT_ID = /^[0-9a-f]{32}$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Who a LiveChat user ID belongs to, by the ID's form: agents are identified by their email, bots
 * by 32 hex digits, customers by a UUID. (Payloads name the author by ID only.)
 */
export function roleOfUserId(id: unknown): AuthorRole {
	if (!nonEmptyString(id)) return 'system';
	if (EMAIL.test(id)) return 'agent';
	if (BOT_ID.test(id)) return 'bot';
	if (UUID.test(id)) return 'customer';
	return 'agent';
}

function richMessageText(event: IDataObject): string {
	const elements = Array.isArray(event.elements) ? (event.elements as unknown[]).filter(isObject) : [];
	const parts: string[] = [];
	for (const element of elements) {
		for (const key of ['title', 'subtitle']) if (nonEmptyString(element[key])) parts.push(element[key] as string);
		const buttons = Array.isArray(element.buttons) ? (element.buttons as unknown[]).filter(isObject) : [];
		const labels = buttons.map((button) => button.text).filter(nonEmptyString);
		if (labels.length > 0) parts.push(labels.map((label) => `[${label}]`).join(' '));
	}
	return parts.join('\n');
}

function firstRichImage(event: IDataObject): IDataObject | undefined {
	const elements = Array.isArray(event.elements) ? (event.elements as unknown[]).filter(isObject) : [];
	for (const element of elements) if (isObject(element.image) && nonEmptyString(element.image.url)) return element.image;
	return undefined;
}

/** LiveChat's event types → the package's; images are files whose content_type is image/*. */
export function normalizeMessage(event: IDataObject): HandoffMessage {
	return withReadableText(livechatMessage(event));
}

function livechatMessage(event: IDataObject): HandoffMessage {
	const kind = nonEmptyString(event.type) ? event.type : 'unknown';
	const base = { livechatType: kind, eventId: idToString(event.id), visibility: idToString(event.visibility) };
	if (kind === 'message') {
		return { type: 'text', text: typeof event.text === 'string' ? event.text : '', ...base };
	}
	if (kind === 'file') {
		const contentType = nonEmptyString(event.content_type) ? event.content_type : '';
		const url = nonEmptyString(event.url) ? event.url : undefined;
		const type: MessageType = contentType.toLowerCase().startsWith('image/') ? 'image' : 'file';
		const text =
			(nonEmptyString(event.alternative_text) && event.alternative_text) ||
			(nonEmptyString(event.name) && event.name) ||
			url ||
			'';
		const message: HandoffMessage = { type, text, ...base };
		if (url) message.url = url;
		if (nonEmptyString(event.name)) message.fileName = event.name;
		if (contentType) message.mimeType = contentType;
		if (nonEmptyString(event.thumbnail_url)) message.thumbnailUrl = event.thumbnail_url;
		return message;
	}
	if (kind === 'rich_message') {
		const image = firstRichImage(event);
		const text = richMessageText(event) || (image ? String(image.url) : '');
		const message: HandoffMessage = { type: 'other', text, ...base, elements: Array.isArray(event.elements) ? event.elements : [] };
		if (image) message.url = String(image.url);
		return message;
	}
	return { type: 'other', text: typeof event.text === 'string' ? event.text : '', ...base };
}

/** Messages agents write (text, files, cards); system messages, forms and custom events are the rest. */
export function isMessageEvent(event: IDataObject): boolean {
	return event.type === 'message' || event.type === 'file' || event.type === 'rich_message';
}

export function isOwnEvent(event: IDataObject): boolean {
	return isOwnCustomId(event.custom_id);
}

/** A chat this package started: its first thread's events carry our custom_id. */
export function isOwnChat(chat: IDataObject): boolean {
	const thread = isObject(chat.thread) ? chat.thread : {};
	const events = Array.isArray(thread.events) ? (thread.events as unknown[]).filter(isObject) : [];
	return events.some(isOwnEvent);
}

import type { IDataObject } from 'n8n-workflow';

import type { HandoffMessage } from '../../shared';
import { isObject, numberOf, standInText } from '../../shared';

// Botpress message payloads → the package's message (and the message version 1 of the trigger emits).

function str(payload: IDataObject, key: string): string {
	const value = payload[key];
	return typeof value === 'string' ? value : '';
}

function isCard(value: unknown): value is IDataObject {
	return isObject(value) && (typeof value.title === 'string' || Array.isArray(value.actions));
}

/** A card as lines a human reads: title, subtitle, then one "- label" per button (with its link). */
function cardText(card: IDataObject): string {
	const lines = [str(card, 'title'), str(card, 'subtitle')].filter(Boolean);
	const actions = Array.isArray(card.actions) ? (card.actions as unknown[]).filter(isObject) : [];
	for (const action of actions) {
		const label = str(action, 'label') || str(action, 'value');
		if (!label) continue;
		const value = str(action, 'value');
		lines.push(action.action === 'url' && value && value !== label ? `- ${label} (${value})` : `- ${label}`);
	}
	return lines.join('\n');
}

function optionsText(payload: IDataObject): string {
	const options = Array.isArray(payload.options) ? (payload.options as unknown[]).filter(isObject) : [];
	const lines = [str(payload, 'text')].filter(Boolean);
	for (const option of options) {
		const label = str(option, 'label') || str(option, 'value');
		if (label) lines.push(`- ${label}`);
	}
	return lines.join('\n');
}

/**
 * A Botpress message payload → the message as version 1 of the trigger emits it. Botpress does not
 * send the message type, so it is read from the keys (`{text}`, `{imageUrl}`, `{audioUrl}`,
 * `{videoUrl}`, `{fileUrl, title}`, `{latitude, longitude}`, cards, carousels, choices, blocs);
 * `botpressType` keeps what was found. Audio and video are files in the package's shape; cards and
 * choices become readable text. The text may be empty here and a file's name is `name`.
 */
export function legacyMessage(payload: IDataObject): HandoffMessage {
	const declared = str(payload, 'type');
	const title = str(payload, 'title');

	if (Array.isArray(payload.items)) {
		const items = (payload.items as unknown[]).filter(isObject);
		const isBloc = declared === 'bloc' || items.some((item) => typeof item.type === 'string' && isObject(item.payload));
		if (isBloc) {
			const parts = items
				.filter((item) => isObject(item.payload))
				.map((item) => legacyMessage({ ...(item.payload as IDataObject), type: typeof item.type === 'string' ? item.type : '' }));
			const firstUrl = parts.find((part) => part.url)?.url;
			const message: HandoffMessage = {
				type: 'other',
				text: parts.map((part) => part.text).filter(Boolean).join('\n'),
				botpressType: 'bloc',
			};
			if (firstUrl) message.url = firstUrl;
			return message;
		}
		const cards = items.filter(isCard);
		const message: HandoffMessage = {
			type: 'other',
			text: cards.map(cardText).filter(Boolean).join('\n\n'),
			botpressType: 'carousel',
		};
		const imageUrl = cards.map((card) => str(card, 'imageUrl')).find(Boolean);
		if (imageUrl) message.url = imageUrl;
		return message;
	}
	if (Array.isArray(payload.options)) {
		return {
			type: 'other',
			text: optionsText(payload),
			botpressType: declared === 'dropdown' ? 'dropdown' : 'choice',
		};
	}
	if (Array.isArray(payload.actions) || (declared === 'card' && title)) {
		const message: HandoffMessage = { type: 'other', text: cardText(payload), botpressType: 'card' };
		if (str(payload, 'imageUrl')) message.url = str(payload, 'imageUrl');
		return message;
	}
	const latitude = payload.latitude;
	const longitude = payload.longitude;
	if (latitude !== undefined && longitude !== undefined && Number.isFinite(numberOf(latitude)) && Number.isFinite(numberOf(longitude))) {
		const address = str(payload, 'address');
		const message: HandoffMessage = {
			type: 'location',
			text: [title, address].filter(Boolean).join(', ') || `Location: ${numberOf(latitude)}, ${numberOf(longitude)}`,
			latitude: numberOf(latitude),
			longitude: numberOf(longitude),
			botpressType: 'location',
		};
		if (address) message.address = address;
		if (title) message.title = title;
		return message;
	}
	const media: Array<[key: string, kind: 'image' | 'audio' | 'video' | 'file']> = [
		['imageUrl', 'image'],
		['audioUrl', 'audio'],
		['videoUrl', 'video'],
		['fileUrl', 'file'],
	];
	for (const [key, kind] of media) {
		const url = str(payload, key);
		if (!url) continue;
		const message: HandoffMessage = {
			type: kind === 'image' ? 'image' : 'file',
			text: title || url,
			url,
			botpressType: kind,
		};
		if (title && kind !== 'image') message.name = title;
		return message;
	}
	if (typeof payload.markdown === 'string') {
		return { type: 'text', text: payload.markdown, botpressType: 'markdown' };
	}
	if (typeof payload.text === 'string') {
		return { type: 'text', text: payload.text, botpressType: 'text' };
	}
	return { type: 'other', text: '', botpressType: declared || 'unknown' };
}

/**
 * A Botpress message payload → the package's message (see legacyMessage for how it is read): the
 * file's name is `fileName` and the text is never empty (a stand-in such as "[message]").
 */
export function normalizeMessage(payload: IDataObject): HandoffMessage {
	const { name, ...message } = legacyMessage(payload);
	if (typeof name === 'string' && name !== '') message.fileName = name;
	if (message.text.trim() === '') message.text = standInText(message.type, message.fileName);
	return message;
}

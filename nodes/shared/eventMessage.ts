import type { IDataObject, INodeProperties } from 'n8n-workflow';

/** An http(s) URL: only those leave n8n in a relayed message (no file:, data: or other schemes). */
export function isHttpUrl(value: unknown): value is string {
	if (typeof value !== 'string') return false;
	try {
		return ['http:', 'https:'].includes(new URL(value).protocol);
	} catch {
		return false;
	}
}

/** The last part of a URL's path, decoded; "file" when there is none. */
export function fileNameFromUrl(url: string): string {
	try {
		const last = new URL(url).pathname.split('/').filter(Boolean).pop();
		return last ? decodeURIComponent(last) : 'file';
	} catch {
		return 'file';
	}
}

/** What a send operation sends for a trigger event's message: a text, or an image or file with a caption. */
export type EventContent =
	| { type: 'text'; text: string }
	| { type: 'image' | 'file'; url: string; caption: string; fileName: string | null; mimeType: string | null };

const MEDIA_TYPES = ['image', 'file', 'audio', 'video'];

function stringField(message: IDataObject, key: string): string {
	const value = message[key];
	return typeof value === 'string' ? value : '';
}

/**
 * A trigger event's `message` ({type, text, url, fileName, latitude, longitude}, the same from every
 * trigger) → what to send. Media with an http(s) URL go as image or file (audio and video as file),
 * their text as caption unless it only repeats the file name; a location and anything else go as
 * text, with the link, so nothing the sender wrote is lost. null when there is nothing to send.
 */
export function contentFromEvent(message: IDataObject): EventContent | null {
	const type = stringField(message, 'type') || 'text';
	const text = stringField(message, 'text');
	const url = isHttpUrl(message.url) ? message.url : '';
	// Platforms that carry no caption put the file name in `text`: that is no caption to send.
	const names = ['fileName', 'name', 'title'].map((key) => stringField(message, key)).filter(Boolean);
	if (url && MEDIA_TYPES.includes(type)) {
		return {
			type: type === 'image' ? 'image' : 'file',
			url,
			caption: text && text !== url && !names.includes(text) ? text : '',
			fileName: names[0] ?? null,
			mimeType: stringField(message, 'mimeType') || null,
		};
	}
	const latitude = typeof message.latitude === 'number' ? message.latitude : Number.NaN;
	const longitude = typeof message.longitude === 'number' ? message.longitude : Number.NaN;
	if (type === 'location' && Number.isFinite(latitude) && Number.isFinite(longitude)) {
		const where = `Location: ${latitude}, ${longitude}`;
		return { type: 'text', text: [text !== where ? text : '', where].filter(Boolean).join('\n') };
	}
	const withLink = url && !text.includes(url) ? [text, url].filter(Boolean).join('\n') : text;
	return withLink.trim() === '' ? null : { type: 'text', text: withLink };
}

/** The "Message Type" choice that relays a trigger event's message as it is. */
export const FROM_EVENT_OPTION = {
	name: 'From a Trigger Event',
	value: 'event',
	description: "A trigger event's message as it is: text, image or file, location",
};

/** The message parameter shown with FROM_EVENT_OPTION. */
export function eventMessageProperty(show: { [key: string]: string[] }): INodeProperties {
	return {
		displayName: 'Message',
		name: 'message',
		type: 'json',
		required: true,
		default: '={{ $json.message }}',
		displayOptions: { show },
		description:
			"A trigger event's message. Images and files are sent as such (its text as caption); a location and anything else as text with its link.",
		hint: '{"type": "text" | "image" | "file" | "location" | "other", "text", "url", "fileName", "latitude", "longitude"}',
	};
}

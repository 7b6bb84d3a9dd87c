import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { textOf as text } from '../../shared';

export const sessionField: INodeProperties = {
	displayName: 'Session',
	name: 'session',
	type: 'json',
	required: true,
	default: '={{ $json.session }}',
	description:
		'The "session" object the previous Live Agent operation output (ID, key, affinity token, next sequence, ack). It holds the session key, a secret: keep it in the items, do not log it.',
};

/**
 * What a chat message says as plain text: Live Agent carries text only, so a message in the
 * package's event shape ({type, text, url}) becomes its text with its link.
 */
export function messageText(value: unknown): string {
	let message: unknown = value;
	if (typeof value === 'string') {
		const trimmed = value.trim();
		if (!trimmed.startsWith('{')) return value;
		try {
			message = JSON.parse(trimmed);
		} catch {
			return value;
		}
	}
	if (!message || typeof message !== 'object' || Array.isArray(message)) return text(message);
	const data = message as IDataObject;
	const body = text(data.text);
	const url = typeof data.url === 'string' && /^https?:\/\//i.test(data.url) ? data.url : '';
	if (url && !body.includes(url)) return [body, url].filter(Boolean).join('\n');
	if (!body && Number.isFinite(Number(data.latitude)) && Number.isFinite(Number(data.longitude)) && data.latitude !== undefined) {
		return `https://maps.google.com/?q=${Number(data.latitude)},${Number(data.longitude)}`;
	}
	return body;
}

import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { eventMessageParameter } from '../../../shared';
import { landbotApi } from '../../transport';
import { customerIdField, requireNumericId } from '../common';

const properties: INodeProperties[] = [
	customerIdField,
	{
		displayName: 'Message',
		name: 'message',
		type: 'json',
		required: true,
		default: '={{ $json.message }}',
		description: "A trigger event's message (its type, text, file URL, or location). The default takes it from the incoming event.",
		hint: '{"type": "text" | "image" | "file" | "location" | "other", "text", "url", "latitude", "longitude"}',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['customer'], operation: ['sendMessage'] } },
	properties,
);

const isHttpUrl = (value: unknown): value is string => typeof value === 'string' && /^https?:\/\//i.test(value);

/**
 * Relays any message as richly as Landbot allows: images as images, locations as locations, and
 * whatever Landbot cannot show (files, other types) as text with its link.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const customerId = requireNumericId.call(this, 'customerId', 'Customer ID', itemIndex);
	const message = eventMessageParameter.call(this, 'message', itemIndex);
	const type = String(message.type ?? 'text');
	const text = typeof message.text === 'string' ? message.text : '';
	const url = isHttpUrl(message.url) ? message.url : undefined;
	const latitude = Number(message.latitude);
	const longitude = Number(message.longitude);

	let call: { name: string; path: string; body: IDataObject };
	if (type === 'image' && url) {
		const body: IDataObject = { url };
		// Platforms that carry no caption put the file name in `text`: that is no caption to show.
		const names = [message.fileName, message.name, message.title];
		if (text && text !== url && !names.includes(text)) body.caption = text;
		call = { name: 'send image', path: 'send_image', body };
	} else if (type === 'location' && Number.isFinite(latitude) && Number.isFinite(longitude)) {
		call = { name: 'send location', path: 'send_location', body: { latitude, longitude } };
	} else {
		const withLink = url && !text.includes(url) ? [text, url].filter(Boolean).join('\n') : text;
		if (withLink.trim() === '') {
			throw new NodeOperationError(this.getNode(), '"Message" has neither text nor a link to send', { itemIndex });
		}
		call = { name: 'send text', path: 'send_text', body: { message: withLink } };
	}
	const response = await landbotApi.call(this, {
		call: call.name,
		method: 'POST',
		path: `customers/${customerId}/${call.path}/`,
		body: call.body,
		itemIndex,
	});
	return { customerId, sent: call.path, ...call.body, ...response };
}

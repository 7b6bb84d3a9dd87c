import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { eventMessageParameter, isHttpUrl } from '../../../shared';
import { botpressRequest } from '../../transport';
import {
	remoteConversationIdField,
	remoteUserIdField,
	requireHttpUrlParameter,
	requireString,
	requireWebhookUrl,
} from '../common';

/** What the HITL plugin shows to the user (SUPPORTED_MESSAGE_TYPES): anything else must become text. */
type BotpressMessageType = 'text' | 'image' | 'file' | 'audio' | 'video';

interface OutgoingMessage {
	messageType: BotpressMessageType;
	payload: IDataObject;
}

const MEDIA_TYPES = ['image', 'file', 'audio', 'video'];

const properties: INodeProperties[] = [
	remoteConversationIdField,
	remoteUserIdField,
	{
		displayName: 'Message Type',
		name: 'messageType',
		type: 'options',
		options: [
			{ name: 'Audio', value: 'audio', description: 'An audio file by URL' },
			{ name: 'File', value: 'file', description: 'A file by URL, with an optional title' },
			{
				name: 'From a Trigger Event',
				value: 'event',
				description: "A trigger event's message as it is (text, image, file, location…), relayed as richly as Botpress shows it",
			},
			{ name: 'Image', value: 'image', description: 'An image by URL' },
			{ name: 'Text', value: 'text' },
			{ name: 'Video', value: 'video', description: 'A video by URL' },
		],
		default: 'text',
	},
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 3 },
		required: true,
		default: '',
		displayOptions: { show: { messageType: ['text'] } },
		description: 'Shown to the user as the agent\'s message',
	},
	{
		displayName: 'URL',
		name: 'url',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'https://example.com/picture.png',
		displayOptions: { show: { messageType: MEDIA_TYPES } },
		description: 'Public URL of the media; Botpress shows it in the chat',
	},
	{
		displayName: 'Title',
		name: 'title',
		type: 'string',
		default: '',
		displayOptions: { show: { messageType: ['file'] } },
		description: 'Optional file name shown with the file',
	},
	{
		displayName: 'Message',
		name: 'message',
		type: 'json',
		required: true,
		default: '={{ $json.message }}',
		displayOptions: { show: { messageType: ['event'] } },
		description:
			"A trigger event's message (its type, text, file URL and name, or location). Images, files, audio and video are sent as such (a caption follows as text); locations and anything else as text with the link.",
		hint: '{"type": "text" | "image" | "file" | "location" | "other", "text", "url", "name", "latitude", "longitude"}',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['conversation'], operation: ['sendMessage'] } },
	properties,
);

function stringField(message: IDataObject, key: string): string {
	const value = message[key];
	return typeof value === 'string' ? value : '';
}

/** Audio and video travel as `file` in the package's event shape; their origin tells them apart. */
function mediaKind(message: IDataObject): BotpressMessageType {
	const type = String(message.type ?? '');
	if (type === 'image') return 'image';
	const hint = [stringField(message, 'botpressType'), stringField(message, 'mimeType'), stringField(message, 'contentType')]
		.join(' ')
		.toLowerCase();
	if (/\baudio\b|^audio\/| audio\//.test(hint) || type === 'audio') return 'audio';
	if (/\bvideo\b|^video\/| video\//.test(hint) || type === 'video') return 'video';
	return 'file';
}

/**
 * A package event message → the Botpress messages that show it best. Botpress's HITL plugin relays
 * text, image, audio, video and file to the user; a location or a card becomes text with its link,
 * and a caption follows a media message as text, so nothing the agent wrote is lost.
 */
export function fromEventMessage(message: IDataObject): OutgoingMessage[] {
	const type = String(message.type ?? 'text');
	const text = stringField(message, 'text');
	const url = isHttpUrl(message.url) ? message.url : undefined;
	const latitude = Number(message.latitude);
	const longitude = Number(message.longitude);
	// Platforms that carry no caption put the file name in `text`: that is no caption to send.
	const names = ['fileName', 'name', 'title'].map((key) => stringField(message, key));
	const caption = text && text !== url && !names.includes(text) ? text : '';

	if (url && ['image', 'file', 'audio', 'video'].includes(type)) {
		const kind = mediaKind(message);
		const messages: OutgoingMessage[] = [];
		if (kind === 'image') messages.push({ messageType: 'image', payload: { imageUrl: url } });
		else if (kind === 'audio') messages.push({ messageType: 'audio', payload: { audioUrl: url } });
		else if (kind === 'video') messages.push({ messageType: 'video', payload: { videoUrl: url } });
		else {
			const title = stringField(message, 'name') || stringField(message, 'title') || caption;
			messages.push({ messageType: 'file', payload: title ? { fileUrl: url, title } : { fileUrl: url } });
			// The title already says it.
			if (title === caption) return messages;
		}
		if (caption) messages.push({ messageType: 'text', payload: { text: caption } });
		return messages;
	}
	if (type === 'location' && Number.isFinite(latitude) && Number.isFinite(longitude)) {
		const where = `Location: ${latitude}, ${longitude}`;
		const lines = [caption !== where ? caption : '', where].filter(Boolean);
		return [{ messageType: 'text', payload: { text: lines.join('\n') } }];
	}
	const withLink = url && !text.includes(url) ? [text, url].filter(Boolean).join('\n') : text;
	if (withLink.trim() === '') return [];
	return [{ messageType: 'text', payload: { text: withLink } }];
}

function fromParameters(context: IExecuteFunctions, messageType: string, itemIndex: number): OutgoingMessage[] {
	if (messageType === 'event') return fromEventMessage(eventMessageParameter.call(context, 'message', itemIndex));
	if (messageType === 'text') {
		const text = String(context.getNodeParameter('text', itemIndex, ''));
		return text.trim() === '' ? [] : [{ messageType: 'text', payload: { text } }];
	}
	const url = requireHttpUrlParameter.call(context, 'url', 'URL', itemIndex);
	switch (messageType) {
		case 'image':
			return [{ messageType: 'image', payload: { imageUrl: url } }];
		case 'audio':
			return [{ messageType: 'audio', payload: { audioUrl: url } }];
		case 'video':
			return [{ messageType: 'video', payload: { videoUrl: url } }];
		default: {
			const title = String(context.getNodeParameter('title', itemIndex, '') ?? '').trim();
			return [{ messageType: 'file', payload: title ? { fileUrl: url, title } : { fileUrl: url } }];
		}
	}
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const remoteConversationId = requireString.call(this, 'remoteConversationId', 'Remote Conversation ID', itemIndex);
	const remoteUserId = requireString.call(this, 'remoteUserId', 'Agent ID', itemIndex);
	const messageType = this.getNodeParameter('messageType', itemIndex) as string;
	const messages = fromParameters(this, messageType, itemIndex);
	if (messages.length === 0) {
		throw new NodeOperationError(this.getNode(), 'The message is empty: Botpress cannot show an empty message', {
			itemIndex,
		});
	}
	await requireWebhookUrl.call(this, itemIndex);
	for (const message of messages) {
		await botpressRequest.call(this, {
			call: `message from agent (${message.messageType})`,
			path: '/message-from-agent',
			body: { remoteConversationId, remoteUserId, messageType: message.messageType, payload: message.payload },
			itemIndex,
		});
	}
	return {
		remoteConversationId,
		remoteUserId,
		messageType: messages[0].messageType,
		payload: messages[0].payload,
		sent: messages as unknown as IDataObject[],
	};
}

import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { MessageSource } from '../../../shared';
import {
	FROM_EVENT_OPTION,
	contentFromEvent,
	downloadFile,
	eventMessageParameter,
	eventMessageProperty,
	fileNameFromUrl,
	isObject,
	messageSource,
	requireHttpUrl,
	textOf,
} from '../../../shared';
import { sourceKeyOf } from '../../marker';
import { chatwootRequest, listOf, segment } from '../../transport';
import type { SendAs } from '../common';
import { conversationIdField, conversationIdOf, postMessage, SEND_AS_OPTIONS } from '../common';

const properties: INodeProperties[] = [
	conversationIdField,
	{
		displayName: 'Send As',
		name: 'sendAs',
		type: 'options',
		options: SEND_AS_OPTIONS,
		default: 'agent',
		description:
			'Customer: message_type incoming, written in the contact\'s name; Chatwoot accepts it only in API-channel inboxes. Agent or Bot: outgoing, from the token\'s user or agent bot. Private Note: outgoing, agents only.',
	},
	{
		displayName: 'Message Type',
		name: 'messageType',
		type: 'options',
		options: [
			{ name: 'Text', value: 'text' },
			{ name: 'File', value: 'file', description: 'An image or any file from a URL' },
			FROM_EVENT_OPTION,
		],
		default: 'text',
	},
	eventMessageProperty({ messageType: ['event'] }),
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 3 },
		required: true,
		default: '',
		displayOptions: { show: { messageType: ['text'] } },
	},
	{
		displayName: 'URL',
		name: 'url',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'https://files.example.com/receipt.png',
		displayOptions: { show: { messageType: ['file'] } },
	},
	{
		displayName: 'Caption',
		name: 'caption',
		type: 'string',
		default: '',
		displayOptions: { show: { messageType: ['file'] } },
		description: 'Text sent with the file',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'File Name',
				name: 'fileName',
				type: 'string',
				default: '',
				displayOptions: { show: { '/messageType': ['file', 'event'] } },
				description: 'Empty: the event\'s file name, else the last part of the URL',
			},
			{
				displayName: 'Upload the File',
				name: 'upload',
				type: 'boolean',
				default: true,
				displayOptions: { show: { '/messageType': ['file', 'event'] } },
				description:
					'Whether to download the file and send it as an attachment (multipart attachments[]), so agents see it inline. Off: the link is sent as text.',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['message'], operation: ['send'] } }, properties);

type Content = { kind: 'text'; text: string } | { kind: 'file'; url: string; caption: string; fileName: string };

/** How many of the conversation's latest messages are searched for a repeat (pages of 20). */
const REPEAT_SEARCH_PAGES = 5;
/** Chatwoot lists 20 messages a call (message_finder.rb): a shorter page reached the conversation's start. */
const MESSAGES_PAGE = 20;

/**
 * The message of this conversation relayed from `sourceKey`, if there is one among its latest 100: a
 * message the trigger flagged `maybeRelayed` (a retry after a failure or a crash) may be there already.
 */
async function alreadySent(this: IExecuteFunctions, conversationId: string, sourceKey: string, itemIndex: number): Promise<IDataObject | undefined> {
	let before: string | undefined;
	for (let page = 0; page < REPEAT_SEARCH_PAGES; page++) {
		const response = await chatwootRequest.call(this, {
			call: 'look for a message relayed before',
			method: 'GET',
			path: `conversations/${segment(conversationId)}/messages`,
			qs: before ? { before } : undefined,
			itemIndex,
		});
		const messages = listOf(response.body);
		const found = messages.find((message) => sourceKeyOf(message.content_attributes) === sourceKey);
		if (found || messages.length < MESSAGES_PAGE) return found;
		const oldest = Math.min(...messages.map((message) => Number(message.id)).filter(Number.isFinite));
		if (!Number.isFinite(oldest)) return undefined;
		before = String(oldest);
	}
	return undefined;
}

function contentOf(this: IExecuteFunctions, messageType: string, options: IDataObject, itemIndex: number): { content: Content; source?: MessageSource } {
	if (messageType === 'event') {
		const message = eventMessageParameter.call(this, 'message', itemIndex);
		const content = contentFromEvent(message);
		if (content === null) {
			throw new NodeOperationError(this.getNode(), '"Message" holds nothing to send (no text, no http(s) URL)', { itemIndex });
		}
		const source = messageSource(message);
		if (content.type === 'text') return { content: { kind: 'text', text: content.text }, source };
		const fileName = textOf(options.fileName).trim() || content.fileName || fileNameFromUrl(content.url);
		return { content: { kind: 'file', url: content.url, caption: content.caption, fileName }, source };
	}
	if (messageType === 'text') {
		const text = textOf(this.getNodeParameter('text', itemIndex, ''));
		if (text.trim() === '') throw new NodeOperationError(this.getNode(), '"Text" is empty', { itemIndex });
		return { content: { kind: 'text', text } };
	}
	const url = requireHttpUrl.call(this, textOf(this.getNodeParameter('url', itemIndex, '')).trim(), 'URL', itemIndex);
	const caption = textOf(this.getNodeParameter('caption', itemIndex, '')).trim();
	return { content: { kind: 'file', url, caption, fileName: textOf(options.fileName).trim() || fileNameFromUrl(url) } };
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const conversationId = conversationIdOf.call(this, itemIndex);
	const sendAs = this.getNodeParameter('sendAs', itemIndex, 'agent') as SendAs;
	const messageType = this.getNodeParameter('messageType', itemIndex, 'text') as string;
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const { content, source } = contentOf.call(this, messageType, options, itemIndex);

	if (source?.maybeRelayed) {
		// A retry after a failure or a crash: what reached Chatwoot then is not sent twice.
		const sent = await alreadySent.call(this, conversationId, source.key, itemIndex);
		if (sent) return { conversationId, messageId: textOf(sent.id), alreadySent: true, sentAs: sendAs, message: sent };
	}

	let sent: IDataObject;
	if (content.kind === 'text') {
		sent = await postMessage.call(this, conversationId, { content: content.text, as: sendAs, sourceKey: source?.key }, itemIndex);
	} else if (options.upload !== false) {
		const file = await downloadFile.call(this, content.url, content.fileName, itemIndex);
		sent = await postMessage.call(this, conversationId, { content: content.caption, as: sendAs, file, sourceKey: source?.key }, itemIndex);
	} else {
		const text = content.caption ? `${content.caption}\n${content.url}` : content.url;
		sent = await postMessage.call(this, conversationId, { content: text, as: sendAs, sourceKey: source?.key }, itemIndex);
	}
	const attachments = Array.isArray(sent.attachments) ? (sent.attachments as unknown[]).filter(isObject) : [];
	return {
		conversationId,
		messageId: textOf(sent.id),
		alreadySent: false,
		sentAs: sendAs,
		attachments: attachments.length,
		message: sent,
	};
}

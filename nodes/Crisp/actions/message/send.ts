import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { MessageSource } from '../../../shared';
import {
	FROM_EVENT_OPTION,
	contentFromEvent,
	eventMessageParameter,
	eventMessageProperty,
	fileNameFromUrl,
	messageSource,
	numberOf,
	requireHttpUrl,
	textOf,
} from '../../../shared';
import { fingerprintFor } from '../../marker';
import type { SendAs } from '../common';
import { postMessage, SEND_AS_OPTIONS, sessionIdField, sessionIdOf, websiteIdField, websiteIdOf } from '../common';
import { historyBatch } from './getMany';

const properties: INodeProperties[] = [
	websiteIdField,
	sessionIdField,
	{
		displayName: 'Send As',
		name: 'sendAs',
		type: 'options',
		options: SEND_AS_OPTIONS,
		default: 'operator',
	},
	{
		displayName: 'Message Type',
		name: 'messageType',
		type: 'options',
		options: [
			{ name: 'Text', value: 'text' },
			{ name: 'File', value: 'file', description: 'An image or any file at a URL you host (Crisp links it, type: file)' },
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
		description: 'Text sent as a message of its own before the file (Crisp files carry no caption)',
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
				description: "Empty: the event's file name, else the last part of the URL",
			},
			{
				displayName: 'MIME Type',
				name: 'mimeType',
				type: 'string',
				default: '',
				placeholder: 'image/png',
				displayOptions: { show: { '/messageType': ['file', 'event'] } },
				description: "Empty: the event's, else guessed from the file name",
			},
			{
				displayName: 'Sender Nickname',
				name: 'nickname',
				type: 'string',
				default: '',
				description: 'The name shown for an operator or bot message (user.nickname)',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['message'], operation: ['send'] } }, properties);

type Content = { kind: 'text'; text: string } | { kind: 'file'; url: string; caption: string; fileName: string; mimeType: string };

const MIME_BY_EXTENSION: Record<string, string> = {
	png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', pdf: 'application/pdf', txt: 'text/plain',
	mp3: 'audio/mpeg', mp4: 'video/mp4', csv: 'text/csv', zip: 'application/zip',
};

function mimeTypeOf(fileName: string): string {
	const extension = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase() ?? '';
	return Object.prototype.hasOwnProperty.call(MIME_BY_EXTENSION, extension) ? MIME_BY_EXTENSION[extension] : 'application/octet-stream';
}

/** How many history batches are searched for a repeat. */
const REPEAT_SEARCH_BATCHES = 5;

/**
 * The message of this conversation relayed from `sourceKey`, if it is among its latest batches: its
 * fingerprint is derived from the source key (marker.ts), so a retry finds what reached Crisp.
 */
async function alreadySent(this: IExecuteFunctions, websiteId: string, sessionId: string, sourceKey: string, itemIndex: number): Promise<IDataObject | undefined> {
	const fingerprint = fingerprintFor(websiteId, sessionId, sourceKey);
	let before: number | undefined;
	for (let batch = 0; batch < REPEAT_SEARCH_BATCHES; batch++) {
		const messages = await historyBatch.call(this, websiteId, sessionId, before === undefined ? {} : { timestamp_before: before }, itemIndex, 'look for a message relayed before');
		const found = messages.find((message) => numberOf(message.fingerprint) === fingerprint);
		if (found || messages.length === 0) return found;
		const oldest = Math.min(...messages.map((message) => numberOf(message.timestamp)).filter(Number.isFinite));
		if (!Number.isFinite(oldest) || (before !== undefined && oldest >= before)) return undefined;
		before = oldest;
	}
	return undefined;
}

function contentOf(this: IExecuteFunctions, messageType: string, options: IDataObject, itemIndex: number): { content: Content; source?: MessageSource } {
	if (messageType === 'event') {
		const message = eventMessageParameter.call(this, 'message', itemIndex);
		const content = contentFromEvent(message);
		if (content === null) throw new NodeOperationError(this.getNode(), '"Message" holds nothing to send (no text, no http(s) URL)', { itemIndex });
		const source = messageSource(message);
		if (content.type === 'text') return { content: { kind: 'text', text: content.text }, source };
		const fileName = textOf(options.fileName).trim() || content.fileName || fileNameFromUrl(content.url);
		const mimeType = textOf(options.mimeType).trim() || content.mimeType || mimeTypeOf(fileName);
		return { content: { kind: 'file', url: content.url, caption: content.caption, fileName, mimeType }, source };
	}
	if (messageType === 'text') {
		const text = textOf(this.getNodeParameter('text', itemIndex, ''));
		if (text.trim() === '') throw new NodeOperationError(this.getNode(), '"Text" is empty', { itemIndex });
		return { content: { kind: 'text', text } };
	}
	const url = requireHttpUrl.call(this, textOf(this.getNodeParameter('url', itemIndex, '')).trim(), 'URL', itemIndex);
	const caption = textOf(this.getNodeParameter('caption', itemIndex, '')).trim();
	const fileName = textOf(options.fileName).trim() || fileNameFromUrl(url);
	return { content: { kind: 'file', url, caption, fileName, mimeType: textOf(options.mimeType).trim() || mimeTypeOf(fileName) } };
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const websiteId = await websiteIdOf.call(this, itemIndex);
	const sessionId = sessionIdOf.call(this, itemIndex);
	const sendAs = this.getNodeParameter('sendAs', itemIndex, 'operator') as SendAs;
	if (!['customer', 'operator', 'note'].includes(sendAs)) {
		throw new NodeOperationError(this.getNode(), `"Send As" must be customer, operator or note, got "${String(sendAs)}"`, { itemIndex });
	}
	const messageType = this.getNodeParameter('messageType', itemIndex, 'text') as string;
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const nickname = textOf(options.nickname).trim() || undefined;
	const { content, source } = contentOf.call(this, messageType, options, itemIndex);

	if (source?.maybeRelayed) {
		// A retry after a failure or a crash: what reached Crisp then is not sent twice.
		const sent = await alreadySent.call(this, websiteId, sessionId, source.key, itemIndex);
		if (sent) return { sessionId, websiteId, fingerprint: numberOf(sent.fingerprint), alreadySent: true, sentAs: sendAs, message: sent };
	}

	const sourceKey = source?.key;
	let sent: IDataObject;
	if (content.kind === 'text') {
		sent = await postMessage.call(this, websiteId, sessionId, { content: content.text, as: sendAs, sourceKey, nickname }, itemIndex);
	} else if (sendAs === 'note') {
		// A note is text: the file goes as its link.
		const text = content.caption ? `${content.caption}\n${content.url}` : content.url;
		sent = await postMessage.call(this, websiteId, sessionId, { content: text, as: sendAs, sourceKey, nickname }, itemIndex);
	} else {
		// The caption first, under a key of its own, so a retry finds each part (the file carries the event's key).
		if (content.caption) {
			await postMessage.call(this, websiteId, sessionId, { content: content.caption, as: sendAs, sourceKey: sourceKey && `${sourceKey}:caption`, nickname }, itemIndex);
		}
		const file = { name: content.fileName, url: content.url, type: content.mimeType };
		sent = await postMessage.call(this, websiteId, sessionId, { content: file, as: sendAs, sourceKey, nickname }, itemIndex);
	}
	return { sessionId, websiteId, fingerprint: sent.fingerprint, alreadySent: sent.alreadySent === true, sentAs: sendAs, message: sent };
}

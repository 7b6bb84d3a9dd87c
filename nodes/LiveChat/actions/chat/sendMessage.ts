import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { MessageSource } from '../../../shared';
import { FROM_EVENT_OPTION, contentFromEvent, eventMessageParameter, eventMessageProperty, fileNameFromUrl, idDropdown, isObject, messageSource, versionedId } from '../../../shared';
import { ownCustomId, sourceCustomId } from '../../marker';
import { downloadFile, liveChatApi, uploadFile } from '../../transport';
import { chatFields, requireHttpUrl, resolveChat } from '../common';
import { prepareSender, send } from './sender';

const properties: INodeProperties[] = [
	...chatFields,
	{
		displayName: 'Send As',
		name: 'sendAs',
		type: 'options',
		options: [
			{
				name: 'Customer',
				value: 'customer',
				description:
					'The chat\'s customer, through the Customer Chat API, e.g. to relay what the user writes to the bot. With a personal access token, only customers "Start" created (their identity is kept, encrypted, in the chat). Customer tokens (valid 8 hours) are cached per customer in the n8n process; a process without one asks LiveChat for a new one.',
			},
			{
				name: 'Agent',
				value: 'agent',
				description: 'The credential\'s agent; LiveChat requires them to be in the chat',
			},
			{
				name: 'Bot',
				value: 'bot',
				description:
					'A LiveChat bot, through the credential\'s token and the X-Author-ID header (Agent Chat API v3.5, the last version that accepts it)',
			},
		],
		default: 'customer',
	},
	{
		displayName: 'LiveChat Customer ID',
		name: 'customerId',
		type: 'string',
		default: '',
		placeholder: 'bf18d1a8-1afe-4a3e-4cc0-a3148f1143db',
		displayOptions: { show: { sendAs: ['customer'] } },
		description: 'Empty: the chat\'s customer, read from the chat (one more call)',
	},
	...versionedId(
		idDropdown('Bot Name or ID', 'botId', 'getBots', { displayOptions: { show: { sendAs: ['bot'] } } }),
		{ displayName: 'Bot', searchListMethod: 'searchBots', idPlaceholder: '5c9871d5372c824cbf22d860a707a578' },
	),
	{
		displayName: 'Message Type',
		name: 'messageType',
		type: 'options',
		options: [
			{ name: 'Text', value: 'text' },
			{ name: 'Image', value: 'image', description: 'An image from a URL' },
			{ name: 'File', value: 'file', description: 'A file from a URL' },
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
		description: 'Up to 16 KB',
	},
	{
		displayName: 'URL',
		name: 'url',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'https://files.example.com/receipt.png',
		displayOptions: { show: { messageType: ['image', 'file'] } },
	},
	{
		displayName: 'Caption',
		name: 'caption',
		type: 'string',
		default: '',
		displayOptions: { show: { messageType: ['image', 'file'] } },
		description: 'Images: their alternative text. Files: a text message sent after the file.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Add Bot to Chat',
				name: 'addBotToChat',
				type: 'boolean',
				default: true,
				displayOptions: { show: { '/sendAs': ['bot'] } },
				description: 'Whether to add the bot to the chat first when it is not in it (LiveChat requires the author to be in the chat)',
			},
			{
				displayName: 'File Name',
				name: 'fileName',
				type: 'string',
				default: '',
				displayOptions: { show: { '/messageType': ['image', 'file', 'event'] } },
				description: 'Empty: the last part of the URL',
			},
			{
				displayName: 'Upload to LiveChat',
				name: 'upload',
				type: 'boolean',
				default: true,
				displayOptions: { show: { '/messageType': ['image', 'file', 'event'] } },
				description:
					'Whether to download the file (up to 10 MB) and upload it to LiveChat, so agents see it as an attachment (images inline). Off: an image is sent as a card showing the URL, a file as a text with its link.',
			},
			{
				displayName: 'Visible to Agents Only',
				name: 'agentsOnly',
				type: 'boolean',
				default: false,
				displayOptions: { show: { '/sendAs': ['agent', 'bot'] } },
				description: 'Whether the customer must not see it (visibility "agents"): an internal note',
			},
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['chat'], operation: ['sendMessage'] } },
	properties,
);

/** Files already on LiveChat's CDN can be sent as they are (a file event must point there). */
export function isLiveChatCdnUrl(url: string): boolean {
	try {
		const host = new URL(url).hostname;
		return /(^|\.)livechat-files\.com$/.test(host);
	} catch {
		return false;
	}
}

/** The event of the chat's current thread that carries this custom_id, if any. */
async function alreadySent(this: IExecuteFunctions, chatId: string, customId: string, itemIndex: number): Promise<IDataObject | undefined> {
	const chat = await liveChatApi.call(this, { api: 'agent', action: 'get_chat', call: 'look for a message relayed before', body: { chat_id: chatId }, itemIndex });
	const thread = isObject(chat.thread) ? chat.thread : {};
	const found = Array.isArray(thread.events) ? (thread.events as unknown[]).filter(isObject) : [];
	return found.find((event) => event.custom_id === customId);
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const { chatId, externalId } = await resolveChat.call(this, itemIndex);
	const chosenType = this.getNodeParameter('messageType', itemIndex) as 'text' | 'image' | 'file' | 'event';
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;

	let messageType: 'text' | 'image' | 'file' = chosenType === 'event' ? 'text' : chosenType;
	let textValue = '';
	let url = '';
	let caption = '';
	let eventFileName = '';
	let source: MessageSource | undefined;
	if (chosenType === 'event') {
		const message = eventMessageParameter.call(this, 'message', itemIndex);
		source = messageSource(message);
		const content = contentFromEvent(message);
		if (content === null) {
			throw new NodeOperationError(this.getNode(), '"Message" holds nothing to send (no text, no http(s) URL)', { itemIndex });
		}
		messageType = content.type;
		if (content.type === 'text') {
			textValue = content.text;
		} else {
			url = content.url;
			caption = content.caption.trim();
			eventFileName = content.fileName ?? '';
		}
	} else if (messageType === 'text') {
		textValue = String(this.getNodeParameter('text', itemIndex, '') ?? '');
		if (textValue.trim() === '') {
			throw new NodeOperationError(this.getNode(), '"Text" is empty: LiveChat needs a text for a message', { itemIndex });
		}
	} else {
		url = requireHttpUrl.call(this, String(this.getNodeParameter('url', itemIndex, '') ?? '').trim(), 'URL', itemIndex);
		caption = String(this.getNodeParameter('caption', itemIndex, '') ?? '').trim();
	}

	const sender = await prepareSender.call(this, chatId, itemIndex, options);
	if (source?.maybeRelayed) {
		// A retry after a failure or a crash: what reached LiveChat then is not sent twice.
		const customId = sourceCustomId(source.key, 0);
		const sent = await alreadySent.call(this, chatId, customId, itemIndex);
		if (sent) {
			return { chatId, externalId, alreadySent: true, eventId: sent.id ?? null, customId, sentAs: sender.as, messageType, eventType: sent.type ?? null };
		}
	}
	const visibility = sender.as !== 'customer' && options.agentsOnly === true ? 'agents' : 'all';
	const events: IDataObject[] = [];

	if (messageType === 'text') {
		events.push({ type: 'message', text: textValue, visibility, custom_id: ownCustomId() });
	} else {
		const fileName = String(options.fileName ?? '').trim() || eventFileName || fileNameFromUrl(url);
		if (options.upload !== false) {
			let cdnUrl = url;
			if (!isLiveChatCdnUrl(url)) {
				const file = await downloadFile.call(this, url, fileName, itemIndex);
				cdnUrl = await uploadFile.call(
					this,
					file,
					sender.as === 'customer'
						? { api: 'customer', customer: sender.customer }
						: sender.as === 'bot'
							? { api: 'agent', headers: { 'X-Author-Id': sender.botId }, apiVersion: sender.apiVersion }
							: { api: 'agent' },
					itemIndex,
				);
			}
			const fileEvent: IDataObject = { type: 'file', url: cdnUrl, visibility, custom_id: ownCustomId() };
			if (messageType === 'image' && caption) fileEvent.alternative_text = caption;
			events.push(fileEvent);
			if (messageType === 'file' && caption) {
				events.push({ type: 'message', text: caption, visibility, custom_id: ownCustomId() });
			}
		} else if (messageType === 'image' && sender.as !== 'customer') {
			events.push({
				type: 'rich_message',
				template_id: 'cards',
				visibility,
				custom_id: ownCustomId(),
				elements: [
					{
						title: caption || fileName,
						image: { url, name: fileName, ...(caption ? { alternative_text: caption } : {}) },
					},
				],
			});
		} else {
			// Customers cannot send cards: the link goes as text, readable everywhere.
			events.push({ type: 'message', text: caption ? `${caption}\n${url}` : url, visibility, custom_id: ownCustomId() });
		}
	}

	if (source) {
		const key = source.key;
		events.forEach((event, part) => (event.custom_id = sourceCustomId(key, part)));
	}

	const eventIds: string[] = [];
	for (const event of events) {
		const answer = await send.call(this, sender, chatId, event, itemIndex);
		eventIds.push(String(answer.event_id ?? ''));
	}

	const output: IDataObject = {
		chatId,
		externalId,
		eventId: eventIds[0] ?? null,
		eventIds,
		customId: events[0].custom_id,
		sentAs: sender.as,
		messageType,
		eventType: events[0].type,
	};
	if (sender.as === 'customer') output.customerId = sender.customer.entityId;
	if (sender.as === 'bot') output.botId = sender.botId;
	if (events[0].type === 'file') output.url = events[0].url;
	return output;
}

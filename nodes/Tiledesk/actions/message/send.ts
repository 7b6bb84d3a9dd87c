import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { FROM_EVENT_OPTION, eventMessageProperty } from '../../../shared';
import { EXTERNAL_ID_ATTRIBUTE, RELAYED_ATTRIBUTE, SOURCE_ATTRIBUTE, markerAttributes } from '../../marker';
import type { EndUser } from '../../transport';
import {
	botParticipantId,
	conversationFields,
	jsonObjectParameter,
	requireChatRequestId,
	resolveConversation,
} from '../common';
import { contentOf } from './content';
import {
	alreadySent,
	newConversationField,
	openConversationIfNew,
	openingLine,
	postAsEndUser,
	postMessage,
	readNewConversation,
} from './post';

const properties: INodeProperties[] = [
	...conversationFields,
	{
		displayName: 'Send As',
		name: 'sendAs',
		type: 'options',
		options: [
			{
				name: 'Customer (End User)',
				value: 'endUser',
				description: 'The customer, e.g. to mirror what they wrote in your own chat',
			},
			{ name: 'Bot', value: 'bot', description: 'A bot (sender bot_&lt;ID&gt;), e.g. to mirror your bot\'s answers' },
			{
				name: "The Credential's User",
				value: 'credentialUser',
				description: 'The Tiledesk user of the credential (a project member)',
			},
		],
		default: 'endUser',
	},
	{
		displayName: 'Sender ID',
		name: 'senderId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'landbot-473548616',
		displayOptions: { show: { sendAs: ['endUser'] } },
		description:
			'The end user\'s ID in your system; Tiledesk reports it as the requester\'s lead_id. Avoid IDs of exactly 12 characters or 24 hex digits: Tiledesk reads those as its own user IDs.',
	},
	{
		displayName: 'Sender Full Name',
		name: 'senderName',
		type: 'string',
		default: '',
		displayOptions: { show: { sendAs: ['endUser', 'credentialUser'] } },
		description: 'Name shown to agents; for the credential\'s user, empty keeps their Tiledesk name',
	},
	{
		displayName: 'Bot ID',
		name: 'botId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'my-bot',
		displayOptions: { show: { sendAs: ['bot'] } },
		description: 'Sent as bot_&lt;Bot ID&gt; (the prefix is added when missing); Tiledesk tells bots from people by it',
	},
	{
		displayName: 'Bot Name',
		name: 'botName',
		type: 'string',
		default: 'Bot',
		displayOptions: { show: { sendAs: ['bot'] } },
	},
	{
		displayName: 'Message Type',
		name: 'messageType',
		type: 'options',
		options: [
			{ name: 'Text', value: 'text' },
			{ name: 'Image', value: 'image' },
			{ name: 'File', value: 'file' },
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
		placeholder: 'https://example.com/picture.png',
		displayOptions: { show: { messageType: ['image', 'file'] } },
		description: 'Public URL of the image or file',
	},
	{
		displayName: 'Caption',
		name: 'caption',
		type: 'string',
		default: '',
		displayOptions: { show: { messageType: ['image', 'file'] } },
		description: 'Text shown with it; when empty, the file name',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Attributes',
				name: 'attributes',
				type: 'json',
				default: '{}',
				description:
					'Custom message attributes (JSON object). Tiledesk copies the first message\'s attributes to the conversation.',
			},
			{
				displayName: 'File Name',
				name: 'fileName',
				type: 'string',
				default: '',
				description: 'Name of the image or file; when empty, the last part of the URL',
			},
			{
				displayName: 'Hidden Info Line',
				name: 'hidden',
				type: 'boolean',
				default: false,
				description:
					'Whether to send it as an info line (attributes.subtype = info): shown as a small system line in the widget, skipped by relays',
			},
			{
				displayName: 'Image Height',
				name: 'height',
				type: 'number',
				default: 0,
				description: 'Height in pixels, helps the widget reserve space (0: unknown)',
			},
			{
				displayName: 'Image Width',
				name: 'width',
				type: 'number',
				default: 0,
				description: 'Width in pixels (0: unknown)',
			},
			{
				displayName: 'Language',
				name: 'language',
				type: 'string',
				default: '',
				placeholder: 'en',
				description: 'ISO 639-1 code of the message language',
			},
			{
				displayName: 'MIME Type',
				name: 'mimeType',
				type: 'string',
				default: '',
				placeholder: 'application/pdf',
			},
		],
	},
	newConversationField,
];

export const description = updateDisplayOptions(
	{ show: { resource: ['message'], operation: ['send'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const conversation = await resolveConversation.call(this, itemIndex);
	requireChatRequestId.call(this, conversation, itemIndex);
	const sendAs = this.getNodeParameter('sendAs', itemIndex) as 'endUser' | 'bot' | 'credentialUser';
	const messageType = this.getNodeParameter('messageType', itemIndex) as 'text' | 'image' | 'file' | 'event';
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const custom = jsonObjectParameter.call(this, 'options.attributes', 'Attributes', itemIndex);
	const { fields, opener } = readNewConversation.call(this, itemIndex);

	const content = contentOf.call(this, messageType, options, itemIndex);
	const body: IDataObject = { type: content.type };
	if (content.type === 'text') {
		body.text = content.text;
	} else {
		const metadata: IDataObject = { src: content.url, name: content.fileName };
		if (content.mimeType) metadata.type = content.mimeType;
		if (content.type === 'image') {
			if (Number(options.width) > 0) metadata.width = Number(options.width);
			if (Number(options.height) > 0) metadata.height = Number(options.height);
		}
		body.metadata = metadata;
		// The conversation's first text is required, and agents' lists show it: never leave it empty.
		body.text = content.caption || content.fileName;
	}

	// Tiledesk gives a new conversation its first message's attributes (and ignores them later): a
	// conversation this message opens starts with the Tiledesk Trigger's mark, nothing relayed yet,
	// so catch-up covers it from its first agent message.
	const attributes: IDataObject = { ...custom, ...markerAttributes(), [RELAYED_ATTRIBUTE]: '' };
	if (conversation.externalId !== null) attributes[EXTERNAL_ID_ATTRIBUTE] = conversation.externalId;
	if (options.hidden === true) attributes.subtype = 'info';
	if (content.source) attributes[SOURCE_ATTRIBUTE] = content.source.key;
	body.attributes = attributes;
	if (options.language) body.language = String(options.language);
	Object.assign(body, fields);

	if (content.source?.maybeRelayed) {
		// A retry after a failure or a crash: what reached Tiledesk then is not sent twice.
		const sent = await alreadySent.call(this, conversation.requestId, content.source.key, itemIndex);
		if (sent) return { conversationId: conversation.requestId, externalId: conversation.externalId, alreadySent: true, ...sent };
	}

	let response: IDataObject;
	if (sendAs === 'endUser') {
		const senderId = String(this.getNodeParameter('senderId', itemIndex, '')).trim();
		if (senderId === '') {
			throw new NodeOperationError(this.getNode(), '"Sender ID" is empty', { itemIndex });
		}
		const user: EndUser = { id: senderId, name: String(this.getNodeParameter('senderName', itemIndex, '')).trim() };
		body.sender = user.id;
		if (user.name) body.senderFullname = user.name;
		response = await postAsEndUser.call(this, conversation.requestId, body, user, itemIndex);
	} else {
		if (sendAs === 'bot') {
			const botId = String(this.getNodeParameter('botId', itemIndex, '')).trim();
			if (botId === '' || botId === 'bot_') {
				throw new NodeOperationError(this.getNode(), '"Bot ID" is empty', { itemIndex });
			}
			body.sender = botParticipantId(botId);
			body.senderFullname = String(this.getNodeParameter('botName', itemIndex, '')).trim() || 'Bot';
		} else {
			const name = String(this.getNodeParameter('senderName', itemIndex, '')).trim();
			if (name) body.senderFullname = name;
		}
		if (opener) {
			await openConversationIfNew.call(
				this,
				conversation.requestId,
				opener,
				openingLine(opener, attributes, fields),
				itemIndex,
			);
		}
		response = await postMessage.call(this, conversation.requestId, body, itemIndex);
	}
	return { conversationId: conversation.requestId, externalId: conversation.externalId, ...response };
}

import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { AuthorRole } from '../../../shared';
import { isObject } from '../../../shared';
import { EXTERNAL_ID_ATTRIBUTE, RELAYED_ATTRIBUTE, markerAttributes } from '../../marker';
import type { EndUser } from '../../transport';
import { isoTime } from '../../values';
import {
	botParticipantId,
	conversationFields,
	jsonArrayParameter,
	jsonObjectParameter,
	requireChatRequestId,
	resolveConversation,
} from '../common';
import {
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
		displayName: 'Customer ID',
		name: 'customerId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'landbot-473548616',
		description: 'The end user\'s ID in your system: their messages are sent with it as sender',
	},
	{
		displayName: 'Customer Full Name',
		name: 'customerName',
		type: 'string',
		default: '',
	},
	{
		displayName: 'Messages',
		name: 'messages',
		type: 'json',
		required: true,
		default: '[]',
		description:
			'A JSON array of entries, posted in this order, each with an author role, text, time, name, type and file URL; Tiledesk Trigger and Landbot Trigger events are accepted as they are',
		hint: '[{"role": "customer" | "bot" | "agent" | "system", "text", "timestamp", "name", "type": "text" | "image" | "file", "url"}, …]; trigger events (author.role, message.text) as they are',
	},
	{
		displayName: 'Bot ID',
		name: 'botId',
		type: 'string',
		default: 'n8n',
		description: 'Bot messages are sent as bot_&lt;Bot ID&gt;',
	},
	{
		displayName: 'Bot Name',
		name: 'botName',
		type: 'string',
		default: 'Bot',
		description: 'Name of bot messages that carry none',
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
				description: 'Custom attributes (JSON object) added to every message',
			},
			{
				displayName: 'Hidden',
				name: 'hidden',
				type: 'boolean',
				default: false,
				description: 'Whether to post the history as info lines (attributes.subtype = info)',
			},
		],
	},
	newConversationField,
];

export const description = updateDisplayOptions(
	{ show: { resource: ['message'], operation: ['sendHistory'] } },
	properties,
);

interface HistoryEntry {
	role: AuthorRole;
	text: string;
	type: 'text' | 'image' | 'file';
	url: string | null;
	name: string | null;
	authorId: string | null;
	timestamp: string | null;
}

const ROLE_ALIASES: Record<string, AuthorRole> = {
	customer: 'customer',
	user: 'customer',
	enduser: 'customer',
	end_user: 'customer',
	visitor: 'customer',
	lead: 'customer',
	bot: 'bot',
	assistant: 'bot',
	agent: 'agent',
	operator: 'agent',
	human: 'agent',
	system: 'system',
	sys: 'system',
};

function firstString(...values: unknown[]): string | null {
	for (const value of values) {
		if (typeof value === 'string' && value !== '') return value;
		if (typeof value === 'number') return String(value);
	}
	return null;
}

/** One history entry, flat or in the package's event shape; an error names the entry. */
function readEntry(raw: unknown, index: number): HistoryEntry | string {
	if (!isObject(raw)) return `entry ${index} is not an object`;
	const author = isObject(raw.author) ? raw.author : {};
	const sender = isObject(raw.sender) ? raw.sender : {};
	const message = isObject(raw.message) ? raw.message : {};
	const roleName = firstString(author.role, raw.role, sender.type, typeof raw.sender === 'string' ? raw.sender : null, raw.from);
	const role = roleName ? ROLE_ALIASES[roleName.toLowerCase()] : undefined;
	if (!role) return `entry ${index} has no known role (customer, bot, agent or system), got ${JSON.stringify(roleName)}`;
	const url = firstString(message.url, raw.url);
	const kind = firstString(message.type, raw.type)?.toLowerCase() ?? 'text';
	const type = kind === 'image' ? 'image' : kind === 'file' ? 'file' : 'text';
	let text = firstString(message.text, typeof raw.message === 'string' ? raw.message : null, raw.text, raw.body, raw.content) ?? '';
	if (type === 'text' && url && !text.includes(url)) text = text ? `${text}\n${url}` : url;
	if (text === '' && !url) return `entry ${index} has neither text nor url`;
	if (type !== 'text' && !url) return `entry ${index} is of type ${type} but has no url`;
	const time = raw.timestamp ?? raw.time ?? raw.createdAt ?? raw.date;
	return {
		role,
		text,
		type,
		url: type === 'text' ? null : url,
		name: firstString(author.name, raw.name, sender.name, raw.senderFullname),
		authorId: firstString(author.id, sender.id),
		// The entry's own time when it has a readable one (a relayed event may carry anything).
		timestamp: isoTime(time),
	};
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const conversation = await resolveConversation.call(this, itemIndex);
	requireChatRequestId.call(this, conversation, itemIndex);
	const customer: EndUser = {
		id: String(this.getNodeParameter('customerId', itemIndex, '')).trim(),
		name: String(this.getNodeParameter('customerName', itemIndex, '')).trim(),
	};
	if (customer.id === '') {
		throw new NodeOperationError(this.getNode(), '"Customer ID" is empty', { itemIndex });
	}
	const botSender = botParticipantId(String(this.getNodeParameter('botId', itemIndex, 'n8n')) || 'n8n');
	const botName = String(this.getNodeParameter('botName', itemIndex, 'Bot')) || 'Bot';
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const custom = jsonObjectParameter.call(this, 'options.attributes', 'Attributes', itemIndex);
	const { fields } = readNewConversation.call(this, itemIndex);

	const entries: HistoryEntry[] = [];
	for (const [index, raw] of jsonArrayParameter.call(this, 'messages', 'Messages', itemIndex).entries()) {
		const entry = readEntry(raw, index);
		if (typeof entry === 'string') {
			throw new NodeOperationError(this.getNode(), `"Messages": ${entry}`, { itemIndex });
		}
		entries.push(entry);
	}
	if (entries.length === 0) {
		return { conversationId: conversation.requestId, externalId: conversation.externalId, count: 0, messages: [] };
	}

	const baseAttributes: IDataObject = { ...custom, ...markerAttributes() };
	if (conversation.externalId !== null) baseAttributes[EXTERNAL_ID_ATTRIBUTE] = conversation.externalId;

	const bodies = entries.map((entry, index) => {
		const attributes: IDataObject = {
			...baseAttributes,
			// The first message's attributes become a new conversation's: nothing relayed back yet.
			...(index === 0 ? { [RELAYED_ATTRIBUTE]: '' } : {}),
			originalAuthor: { role: entry.role, id: entry.authorId, name: entry.name },
			originalTimestamp: entry.timestamp,
			historyIndex: index,
		};
		if (options.hidden === true || entry.role === 'system') attributes.subtype = 'info';
		const body: IDataObject = { type: entry.type, text: entry.text, attributes };
		if (entry.url) body.metadata = { src: entry.url, name: entry.text || entry.url };
		if (entry.role === 'customer') {
			body.sender = customer.id;
			const name = customer.name || entry.name;
			if (name) body.senderFullname = name;
		} else if (entry.role === 'bot') {
			body.sender = botSender;
			body.senderFullname = entry.name || botName;
		} else if (entry.name) {
			// Agent and system lines are posted by the credential's user, under their original name.
			body.senderFullname = entry.name;
		}
		return body;
	});

	// The first sender becomes the conversation's requester: make sure it is the customer.
	const posted: IDataObject[] = [];
	const [first, ...rest] = bodies;
	if (first.sender === customer.id) {
		posted.push(await postAsEndUser.call(this, conversation.requestId, { ...first, ...fields }, customer, itemIndex));
	} else {
		await openConversationIfNew.call(
			this,
			conversation.requestId,
			customer,
			openingLine(customer, baseAttributes, fields),
			itemIndex,
		);
		posted.push(await postMessage.call(this, conversation.requestId, first, itemIndex));
	}
	for (const body of rest) {
		posted.push(await postMessage.call(this, conversation.requestId, body, itemIndex));
	}

	return {
		conversationId: conversation.requestId,
		externalId: conversation.externalId,
		count: posted.length,
		messages: posted.map((message) => ({
			_id: message._id,
			sender: message.sender,
			senderFullname: message.senderFullname,
			type: message.type,
			text: message.text,
			createdAt: message.createdAt,
		})),
	};
}

import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { DownloadedFile, EventContent } from '../../../shared';
import {
	FROM_EVENT_OPTION,
	contentFromEvent,
	downloadFile,
	eventMessageParameter,
	eventMessageProperty,
	jsonObjectParameter,
	messageSource,
	multipartBody,
	textOf,
} from '../../../shared';
import type { EnhancedConversation } from '../../conversation';
import { conversationField, idFromKey, newId, readConversation } from '../../conversation';
import { clientMessageId } from '../../entries';
import { readEntries } from '../../history';
import { enhancedChatConfig, enhancedChatRequest } from '../../transport';
import { follow } from '../common';

const show = { resource: ['conversation'], operation: ['sendMessage'] };

const properties: INodeProperties[] = [
	conversationField,
	{
		displayName: 'Message Type',
		name: 'messageType',
		type: 'options',
		options: [{ name: 'Text', value: 'text' }, FROM_EVENT_OPTION],
		default: 'text',
		description: 'Text, or a trigger event\'s message as it is (images and files are uploaded to Salesforce)',
	},
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 3 },
		required: true,
		default: '',
		displayOptions: { show: { messageType: ['text'] } },
		description: 'What the customer says',
	},
	eventMessageProperty({ messageType: ['event'] }),
	{
		displayName: 'When the Session Has Ended',
		name: 'sessionEnded',
		type: 'options',
		options: [
			{
				name: 'Output "Session Ended"',
				value: 'report',
				description: 'Send nothing and output sessionEnded: true (e.g. to hand the customer back to the bot)',
			},
			{
				name: 'Open a New Session',
				value: 'newSession',
				description: 'Send it again in a new messaging session of the same conversation, routed to an agent again',
			},
			{ name: 'Fail', value: 'fail' },
		],
		default: 'report',
		description: 'Salesforce answers 417 when the agent has ended the messaging session',
	},
	{
		displayName: 'Send Files As',
		name: 'filesAs',
		type: 'options',
		options: [
			{ name: 'Files', value: 'upload', description: 'Downloaded from their URL and uploaded (up to 5 MB; larger ones go as a link)' },
			{ name: 'Links', value: 'link', description: 'Their caption and URL as text' },
		],
		default: 'upload',
		displayOptions: { show: { messageType: ['event'] } },
	},
	{
		displayName: 'Routing Attributes for a New Session',
		name: 'routingAttributes',
		type: 'json',
		default: '{}',
		displayOptions: { show: { sessionEnded: ['newSession'] } },
		description: 'Pre-chat fields for routing the new session, as {"Channel variable name": value}',
	},
];

export const description = updateDisplayOptions({ show }, properties);

/** The upload limit found in public clients; larger files go as their link (unconfirmed by Salesforce). */
const MAX_FILE_BYTES = 5 * 1024 * 1024;

interface Outgoing {
	text: string;
	file?: DownloadedFile;
	message?: IDataObject;
}

function asLink(content: Extract<EventContent, { url: string }>): string {
	return [content.caption || content.fileName || '', content.url].filter(Boolean).join('\n');
}

async function whatToSend(context: IExecuteFunctions, itemIndex: number): Promise<Outgoing> {
	if (context.getNodeParameter('messageType', itemIndex, 'text') === 'text') {
		return { text: textOf(context.getNodeParameter('text', itemIndex, '')) };
	}
	const message = eventMessageParameter.call(context, 'message', itemIndex);
	const content = contentFromEvent(message);
	if (!content) return { text: '', message };
	if (content.type === 'text') return { text: content.text, message };
	if (context.getNodeParameter('filesAs', itemIndex, 'upload') === 'link') return { text: asLink(content), message };
	const file = await downloadFile.call(context, content.url, content.fileName ?? undefined, itemIndex);
	if (file.data.length > MAX_FILE_BYTES) return { text: asLink(content), message };
	if (content.mimeType) file.contentType = content.mimeType;
	return { text: content.caption, file, message };
}

/** A message relayed before (same id) that is already in the conversation's latest entries. */
async function sentBefore(context: IExecuteFunctions, conversation: EnhancedConversation, id: string, itemIndex: number) {
	const entries = await readEntries.call(context, conversation, { newestPage: true, types: ['Message'], itemIndex });
	return entries.find((entry) => clientMessageId(entry) === id);
}

/**
 * POST …/message as the customer. A relayed message's id comes from its source key, the same on
 * every retry, so a message that may have been relayed before is looked for first and not sent twice.
 * 417 means the agent ended the messaging session: reported, answered with a new session, or failed.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const config = await enhancedChatConfig(this);
	const conversation = readConversation(this, itemIndex);
	const { text, file, message } = await whatToSend(this, itemIndex);
	if (!file && text.trim() === '') {
		throw new NodeOperationError(this.getNode(), '"Text" is empty: Enhanced Chat cannot send an empty message', { itemIndex });
	}
	const source = message ? messageSource(message) : undefined;
	const id = source ? idFromKey(source.key) : newId();
	if (source?.maybeRelayed) {
		const found = await sentBefore(this, conversation, id, itemIndex);
		if (found) return { conversation, sent: true, alreadySent: true, messageId: id, entryId: found.identifier, text };
	}

	const sessionEnded = this.getNodeParameter('sessionEnded', itemIndex, 'report') as string;
	const send = async (newSession: boolean) => {
		const session = newSession
			? {
					isNewMessagingSession: true,
					routingAttributes: jsonObjectParameter.call(this, 'routingAttributes', 'Routing Attributes for a New Session', itemIndex),
				}
			: {};
		const call = {
			call: `${file ? 'send file' : 'send message'}${newSession ? ' in a new session' : ''}`,
			method: 'POST' as const,
			accessToken: conversation.accessToken,
			acceptStatuses: newSession ? [] : [417],
			itemIndex,
		};
		if (file) {
			const entry = { message: { id, fileId: idFromKey(`${id}:file`), text }, esDeveloperName: config.deploymentName, ...session };
			const { body, contentType } = multipartBody([
				{ name: 'messageEntry', data: JSON.stringify(entry), contentType: 'application/json' },
				{ name: 'fileData', data: file.data, fileName: file.fileName, contentType: file.contentType },
			]);
			return await enhancedChatRequest.call(this, { ...call, path: `/conversation/${conversation.id}/file`, rawBody: { data: body, contentType } });
		}
		return await enhancedChatRequest.call(this, {
			...call,
			path: `/conversation/${conversation.id}/message`,
			body: {
				message: { id, messageType: 'StaticContentMessage', staticContent: { formatType: 'Text', text } },
				esDeveloperName: config.deploymentName,
				...session,
			},
		});
	};

	let response = await send(false);
	let newSession = false;
	if (response.statusCode === 417) {
		if (sessionEnded === 'report') return { conversation, sent: false, sessionEnded: true, messageId: id, text };
		if (sessionEnded === 'fail') {
			throw new NodeOperationError(this.getNode(), 'The agent has ended the messaging session (417): the message was not sent', {
				itemIndex,
				description: 'Set "When the Session Has Ended" to open a new session, or hand the customer back to the bot.',
			});
		}
		response = await send(true);
		newSession = true;
	}
	// A new session, or a conversation this process has not followed since it started.
	await follow(this, conversation);
	const entries = ((response.body ?? {}) as IDataObject).conversationEntries;
	const first = Array.isArray(entries) ? (entries[0] as IDataObject | undefined) : undefined;
	return {
		conversation,
		sent: true,
		messageId: id,
		entryId: textOf(first?.id) || null,
		text,
		...(file ? { file: { name: file.fileName, mimeType: file.contentType, bytes: file.data.length } } : {}),
		...(newSession ? { newSession: true } : {}),
	};
}

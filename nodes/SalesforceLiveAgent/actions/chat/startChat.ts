import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { afterPost, readSession } from '../../session';
import { liveAgentConfig, liveAgentRequest } from '../../transport';
import { transcriptLine } from '../../../shared';
import { sessionField } from '../common';

const properties: INodeProperties[] = [
	sessionField,
	{
		displayName: 'Visitor Name',
		name: 'visitorName',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'Ada Lovelace',
		description: 'The name the agent sees for the visitor',
	},
	{
		displayName: 'Bot Transcript',
		name: 'transcript',
		type: 'json',
		default: '[]',
		description:
			'The conversation so far, shown to the agent as one pre-chat detail (one line per message): a JSON array of lines or of entries with an author role, name, text and file URL; trigger events are accepted as they are, plain text as it is',
		hint: '["text", …] or [{"role": "customer" | "bot" | "agent" | "system", "name", "text", "url"}, …]; Landbot/Tiledesk/LiveChat Trigger events (author.role, message.text) as they are',
	},
	{
		displayName: 'Pre-Chat Details',
		name: 'prechatDetails',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Detail',
		default: {},
		description: 'What the visitor told the bot, shown to the agent and optionally saved on the chat transcript record',
		options: [
			{
				displayName: 'Detail',
				name: 'detail',
				values: [
					{
						displayName: 'Label',
						name: 'label',
						type: 'string',
						default: '',
						placeholder: 'E-mail Address',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
					},
					{
						displayName: 'Display to Agent',
						name: 'displayToAgent',
						type: 'boolean',
						default: true,
						description: 'Whether the agent sees this detail',
					},
					{
						displayName: 'Transcript Fields',
						name: 'transcriptFields',
						type: 'string',
						default: '',
						placeholder: 'Email__c',
						description: 'Comma-separated API names of chat transcript fields that store the value',
					},
				],
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Button ID',
				name: 'buttonId',
				type: 'string',
				default: '',
				description: 'Another chat button (queue) than the credential\'s',
			},
			{
				displayName: 'Language',
				name: 'language',
				type: 'string',
				default: 'en-US',
				description: 'The visitor\'s language',
			},
			{
				displayName: 'Pre-Chat Entities',
				name: 'prechatEntities',
				type: 'json',
				default: '[]',
				description:
					'Records to find or create when the chat starts, as Salesforce\'s Entity objects: [{"entityName": "Contact", "saveToTranscript": "ContactId", "entityFieldsMaps": [{"fieldName": "Email", "label": "E-mail Address", "doFind": true, "isExactMatch": true, "doCreate": false}]}]',
			},
			{
				displayName: 'Receive Queue Updates',
				name: 'receiveQueueUpdates',
				type: 'boolean',
				default: true,
				description: 'Whether Get Messages reports the visitor\'s queue position while they wait',
			},
			{
				displayName: 'Screen Resolution',
				name: 'screenResolution',
				type: 'string',
				default: '',
				placeholder: '1920x1080',
			},
			{
				displayName: 'Transcript Field',
				name: 'transcriptField',
				type: 'string',
				default: '',
				placeholder: 'Bot_Transcript__c',
				description: 'API name of a chat transcript field that stores the bot transcript as well',
			},
			{
				displayName: 'Transcript Label',
				name: 'transcriptLabel',
				type: 'string',
				default: 'Bot Transcript',
				description: 'The label the agent sees above the bot transcript',
			},
			{
				displayName: 'User Agent',
				name: 'userAgent',
				type: 'string',
				default: 'n8n-nodes-handoff',
				description: 'Shown to the agent as the visitor\'s browser',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['chat'], operation: ['startChat'] } }, properties);

function parseJson(context: IExecuteFunctions, name: string, label: string, itemIndex: number): unknown {
	const raw = context.getNodeParameter(name, itemIndex, '') as unknown;
	if (typeof raw !== 'string') return raw;
	if (raw.trim() === '') return undefined;
	try {
		return JSON.parse(raw);
	} catch {
		if (name === 'transcript') return raw;
		throw new NodeOperationError(context.getNode(), `"${label}" is not valid JSON`, { itemIndex });
	}
}

function transcriptText(value: unknown): string {
	if (value === undefined || value === null) return '';
	if (typeof value === 'string') return value.trim();
	const entries = Array.isArray(value) ? value : [value];
	return entries
		.map(transcriptLine)
		.filter((line) => line !== '')
		.join('\n');
}

function fieldList(value: unknown): string[] {
	return String(value ?? '')
		.split(',')
		.map((field) => field.trim())
		.filter(Boolean);
}

/**
 * POST Chasitor/ChasitorInit: asks for an agent on the button, with the visitor's name and the
 * pre-chat details (the bot transcript among them). The answer is only "OK": Get Messages then
 * reports ChatRequestSuccess (queue position) and, once an agent accepts, ChatEstablished.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const session = readSession(this, itemIndex);
	const config = await liveAgentConfig(this);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const visitorName = String(this.getNodeParameter('visitorName', itemIndex, '') ?? '').trim();
	if (!visitorName) throw new NodeOperationError(this.getNode(), '"Visitor Name" is empty', { itemIndex });
	const buttonId = String(options.buttonId ?? '').trim() || config.buttonId;

	const prechatDetails: IDataObject[] = [];
	const details = (this.getNodeParameter('prechatDetails', itemIndex, {}) as IDataObject).detail;
	for (const detail of (Array.isArray(details) ? details : []) as IDataObject[]) {
		const label = String(detail.label ?? '').trim();
		if (!label) continue;
		prechatDetails.push({
			label,
			value: String(detail.value ?? ''),
			transcriptFields: fieldList(detail.transcriptFields),
			displayToAgent: detail.displayToAgent !== false,
			entityMaps: [],
		});
	}
	const transcript = transcriptText(parseJson(this, 'transcript', 'Bot Transcript', itemIndex));
	if (transcript) {
		prechatDetails.push({
			label: String(options.transcriptLabel ?? '').trim() || 'Bot Transcript',
			value: transcript,
			transcriptFields: fieldList(options.transcriptField),
			displayToAgent: true,
			entityMaps: [],
		});
	}
	const prechatEntities = options.prechatEntities === undefined ? [] : parseJson(this, 'options.prechatEntities', 'Pre-Chat Entities', itemIndex) ?? [];
	if (!Array.isArray(prechatEntities)) {
		throw new NodeOperationError(this.getNode(), '"Pre-Chat Entities" must be a JSON array', { itemIndex });
	}

	await liveAgentRequest.call(this, {
		call: 'start chat',
		method: 'POST',
		path: 'Chasitor/ChasitorInit',
		headers: { kind: 'post', session },
		body: {
			organizationId: config.organizationId,
			deploymentId: config.deploymentId,
			buttonId,
			sessionId: session.id,
			userAgent: String(options.userAgent ?? 'n8n-nodes-handoff'),
			language: String(options.language ?? 'en-US'),
			screenResolution: String(options.screenResolution ?? ''),
			visitorName,
			prechatDetails,
			prechatEntities: prechatEntities as IDataObject[],
			receiveQueueUpdates: options.receiveQueueUpdates !== false,
			isPost: true,
		},
		itemIndex,
	});
	const next = { ...afterPost(session), established: false, chatEnded: false };
	return { session: next, chatRequested: true, established: false, chatEnded: false, visitorName, buttonId };
}

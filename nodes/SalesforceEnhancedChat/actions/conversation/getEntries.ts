import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { conversationField, readConversation } from '../../conversation';
import { entryEvent, isOwnEcho } from '../../entries';
import { ENTRY_TYPES, readEntries } from '../../history';

const properties: INodeProperties[] = [
	conversationField,
	{
		displayName: 'Since',
		name: 'since',
		type: 'string',
		default: '',
		placeholder: '2026-12-01T10:00:00Z',
		description: 'Entries at or after this time (ISO 8601 or milliseconds), e.g. the last event\'s timestamp. Empty: from the start.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Entry Types',
				name: 'types',
				type: 'multiOptions',
				options: [
					{ name: 'Message', value: 'Message' },
					{ name: 'Participant Changed', value: 'ParticipantChanged' },
					{ name: 'Routing Result', value: 'RoutingResult' },
					{ name: 'Session Status Changed', value: 'SessionStatusChanged' },
				],
				default: ['Message', 'ParticipantChanged', 'RoutingResult', 'SessionStatusChanged'],
			},
			{
				displayName: 'Include the Customer\'s Own Messages',
				name: 'includeOwn',
				type: 'boolean',
				default: false,
				description: 'Whether to output what the customer (this relay) sent too, for a whole transcript',
			},
			{
				displayName: 'Limit',
				name: 'limit',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 50,
				description: 'Max number of results to return',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['getEntries'] } }, properties);

function sinceMs(context: IExecuteFunctions, value: string, itemIndex: number): number | undefined {
	const since = value.trim();
	if (since === '') return undefined;
	const ms = /^\d+$/.test(since) ? Number(since) : Date.parse(since);
	if (!Number.isFinite(ms)) {
		throw new NodeOperationError(context.getNode(), `"Since" must be a date or milliseconds, got "${since}"`, { itemIndex });
	}
	return ms;
}

/** The conversation's entries since a time, oldest first, one item each in the package's event shape. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const conversation = readConversation(this, itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const types = Array.isArray(options.types) && options.types.length ? (options.types as string[]) : ENTRY_TYPES;
	const entries = await readEntries.call(this, conversation, {
		since: sinceMs(this, String(this.getNodeParameter('since', itemIndex, '') ?? ''), itemIndex),
		max: Math.max(1, Math.floor(Number(options.limit ?? 50)) || 50),
		types,
		itemIndex,
	});
	return entries
		.filter((entry) => options.includeOwn === true || !isOwnEcho(entry))
		.map((entry) => entryEvent(entry, conversation.subject || null))
		.filter((event): event is NonNullable<typeof event> => event !== null);
}

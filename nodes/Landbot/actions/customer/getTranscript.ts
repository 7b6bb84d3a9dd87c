import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { ownValue } from '../../../shared';
import { landbotApi } from '../../transport';
import { customerIdField, requireNumericId } from '../common';

const properties: INodeProperties[] = [
	customerIdField,
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		options: [
			{ name: 'One Item per Message', value: 'messages' },
			{
				name: 'One Item with All Messages',
				value: 'transcript',
				description: 'Handy to pass a whole bot history to a helpdesk at handoff',
			},
		],
		default: 'messages',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['customer'], operation: ['getTranscript'] } },
	properties,
);

/** "YYYY-MM-DD HH:MM:SS" (UTC) → epoch ms; unparseable values sort first. */
function messageTime(message: IDataObject): number {
	const raw = message.message_datetime ?? message.timestamp;
	if (typeof raw === 'number') return raw < 1e11 ? raw * 1000 : raw;
	if (typeof raw !== 'string') return 0;
	const parsed = Date.parse(raw.includes('T') ? raw : `${raw.replace(' ', 'T')}Z`);
	return Number.isNaN(parsed) ? 0 : parsed;
}

const ROLES: Record<string, string> = {
	user: 'customer',
	customer: 'customer',
	bot: 'bot',
	agent: 'agent',
	sys: 'system',
	system: 'system',
};

/**
 * Adds the package's plain history fields (role, text, ISO timestamp) beside Landbot's own, so a
 * transcript can go straight into a helpdesk's "send history".
 */
/**
 * Times have one-second resolution, so messages of the same second need another order: their
 * numeric ids when both have one (assumed to grow with time: unconfirmed), else Landbot's order.
 */
function sequence(a: IDataObject, b: IDataObject): number {
	const idA = Number(a.id);
	const idB = Number(b.id);
	return Number.isFinite(idA) && Number.isFinite(idB) && a.id !== '' && b.id !== '' ? idA - idB : 0;
}

function withHistoryFields(message: IDataObject, at: number): IDataObject {
	const author = String(message.author_type ?? (message.sender as IDataObject | undefined)?.type ?? '').toLowerCase();
	const text = [message.message, message.text, message.body].find((value) => typeof value === 'string');
	// Media keep their address under data or extra (docs/platforms/landbot.md, unconfirmed for transcripts).
	const data = (message.data as IDataObject | undefined) ?? {};
	const extra = (message.extra as IDataObject | undefined) ?? {};
	const url = [message.url, data.url, extra.url].find((value) => typeof value === 'string' && value !== '');
	return {
		role: ownValue(ROLES, author) ?? 'system',
		text: (text as string | undefined) ?? '',
		timestamp: at ? new Date(at).toISOString() : null,
		...(url ? { url } : {}),
		...message,
	};
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const customerId = requireNumericId.call(this, 'customerId', 'Customer ID', itemIndex);
	const output = this.getNodeParameter('output', itemIndex, 'messages') as string;
	const response = await landbotApi.call(this, {
		call: 'get transcript',
		method: 'GET',
		path: `customers/${customerId}/messages/`,
		itemIndex,
	});
	const list = Array.isArray(response) ? (response as IDataObject[]) : ((response.messages as IDataObject[]) ?? []);
	// Landbot does not guarantee the order: by time, then by id within a second.
	const messages = list
		.map((message, position) => ({ message, position, at: messageTime(message) }))
		.sort((a, b) => a.at - b.at || sequence(a.message, b.message) || a.position - b.position)
		.map(({ message, at }) => withHistoryFields(message, at));
	if (output === 'transcript') return [{ customerId, count: messages.length, messages }];
	return messages;
}

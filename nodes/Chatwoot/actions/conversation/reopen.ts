import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { conversationIdField, conversationIdOf, setStatus } from '../common';

const properties: INodeProperties[] = [
	conversationIdField,
	{
		displayName: 'Reopen As',
		name: 'status',
		type: 'options',
		options: [
			{ name: 'Open (With Humans)', value: 'open' },
			{ name: 'Pending (With the Bot)', value: 'pending' },
		],
		default: 'open',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['reopen'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const conversationId = conversationIdOf.call(this, itemIndex);
	const wanted = this.getNodeParameter('status', itemIndex, 'open') as string;
	const status = await setStatus.call(this, conversationId, wanted === 'pending' ? 'pending' : 'open', itemIndex);
	return { conversationId, status: status.current_status ?? wanted };
}

import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { crispApi, segment } from '../../transport';
import { sessionIdField, sessionIdOf, websiteIdField, websiteIdOf } from '../common';

const properties: INodeProperties[] = [
	websiteIdField,
	sessionIdField,
	{
		displayName: 'State',
		name: 'state',
		type: 'options',
		options: [
			{ name: 'Resolved', value: 'resolved', description: 'The handoff is over' },
			{ name: 'Unresolved', value: 'unresolved', description: 'Open for the operators' },
			{ name: 'Pending', value: 'pending', description: 'Waiting' },
		],
		default: 'resolved',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['setState'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const websiteId = await websiteIdOf.call(this, itemIndex);
	const sessionId = sessionIdOf.call(this, itemIndex);
	const wanted = this.getNodeParameter('state', itemIndex, 'resolved') as string;
	const state = ['resolved', 'unresolved', 'pending'].includes(wanted) ? wanted : 'resolved';
	await crispApi.call(this, { call: `set the conversation ${state}`, method: 'PATCH', path: `conversation/${segment(sessionId)}/state`, websiteId, body: { state }, itemIndex });
	return { sessionId, websiteId, state };
}

import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { crispApi, segment } from '../../transport';
import { locatorUuid, operatorLocator, sessionIdField, sessionIdOf, websiteIdField, websiteIdOf } from '../common';

const properties: INodeProperties[] = [
	websiteIdField,
	sessionIdField,
	operatorLocator({ description: 'The operator who gets the conversation (its routing). Crisp has no teams: routing rules live in the app.' }),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [{ displayName: 'Silent', name: 'silent', type: 'boolean', default: false, description: 'Whether to assign without notifying the operator' }],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['assign'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const websiteId = await websiteIdOf.call(this, itemIndex);
	const sessionId = sessionIdOf.call(this, itemIndex);
	const operatorId = locatorUuid.call(this, 'operatorId', 'Operator', itemIndex, true);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const body: IDataObject = { assigned: { user_id: operatorId } };
	if (options.silent === true) body.silent = true;
	await crispApi.call(this, { call: 'assign an operator', method: 'PATCH', path: `conversation/${segment(sessionId)}/routing`, websiteId, body, itemIndex });
	return { sessionId, websiteId, assignedOperatorId: operatorId };
}

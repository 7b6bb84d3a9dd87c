import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { crispApi, segment } from '../../transport';
import { inboxLocator, locatorUuid, sessionIdField, sessionIdOf, websiteIdField, websiteIdOf } from '../common';

const properties: INodeProperties[] = [
	websiteIdField,
	sessionIdField,
	inboxLocator({ description: 'Empty: out of any inbox (the main one)' }),
];

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['moveToInbox'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const websiteId = await websiteIdOf.call(this, itemIndex);
	const sessionId = sessionIdOf.call(this, itemIndex);
	const inboxId = locatorUuid.call(this, 'inboxId', 'Inbox', itemIndex, false);
	await crispApi.call(this, { call: 'move to inbox', method: 'PATCH', path: `conversation/${segment(sessionId)}/inbox`, websiteId, body: { inbox_id: inboxId || null }, itemIndex });
	return { sessionId, websiteId, inboxId: inboxId || null };
}

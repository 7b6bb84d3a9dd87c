import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { crispApi, segment } from '../../transport';
import { sessionIdField, sessionIdOf, websiteIdField, websiteIdOf } from '../common';

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['get'] } }, [websiteIdField, sessionIdField] as INodeProperties[]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const websiteId = await websiteIdOf.call(this, itemIndex);
	const sessionId = sessionIdOf.call(this, itemIndex);
	return await crispApi.call(this, { call: 'get conversation', method: 'GET', path: `conversation/${segment(sessionId)}`, websiteId, itemIndex });
}

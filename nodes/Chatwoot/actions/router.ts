import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { routeOperations } from '../../shared';
import * as agent from './agent';
import * as contact from './contact';
import * as conversation from './conversation';
import * as message from './message';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await routeOperations.call(this, { agent, contact, conversation, message });
}

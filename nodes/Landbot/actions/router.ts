import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { routeOperations } from '../../shared';
import * as channel from './channel';
import * as customer from './customer';
import * as customerField from './customerField';
import * as messageHook from './messageHook';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await routeOperations.call(this, { channel, customer, customerField, messageHook });
}

import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { endTurns } from '../turns';

export const description: INodeProperties[] = [
	{
		displayName: 'Outcome',
		name: 'outcome',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Relayed', value: 'relayed', description: "The message went out: its copies are dropped" },
			{ name: 'Failed', value: 'failed', description: 'It did not go out: a later copy goes through again' },
		],
		default: 'relayed',
		displayOptions: { show: { operation: ['endTurn'] } },
	},
];

/** Ends the turns this execution took at Wait for Turn: the next message of each conversation goes on. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const ok = this.getNodeParameter('outcome', 0, 'relayed') === 'relayed';
	endTurns(this.getExecutionId(), ok, Date.now());
	return [this.getInputData()];
}

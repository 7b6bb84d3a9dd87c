import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

/** The "Return All / Limit" pair every list operation shows. */
export const returnAllOrLimit: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		displayOptions: { show: { returnAll: [false] } },
		description: 'Max number of results to return',
	},
];

/** The limit chosen with `returnAllOrLimit`, or undefined for all. */
export function chosenLimit(context: IExecuteFunctions, itemIndex: number): number | undefined {
	return context.getNodeParameter('returnAll', itemIndex) ? undefined : (context.getNodeParameter('limit', itemIndex) as number);
}

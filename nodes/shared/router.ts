import type { IDataObject, IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

export type OperationExecute = (this: IExecuteFunctions, itemIndex: number) => Promise<IDataObject | IDataObject[]>;

export type ResourceMap = Record<string, { operations: Record<string, { execute: OperationExecute }> }>;

/**
 * Runs the chosen operation once per input item. Every output item is paired with its input;
 * with "Continue On Fail" a failing item yields `{error}` and the others go on.
 */
export async function routeOperations(
	this: IExecuteFunctions,
	resources: ResourceMap,
): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const returnData: INodeExecutionData[] = [];

	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const resource = this.getNodeParameter('resource', itemIndex) as string;
			const operation = this.getNodeParameter('operation', itemIndex) as string;
			const handler = resources[resource]?.operations[operation];
			if (!handler) {
				throw new NodeOperationError(
					this.getNode(),
					`The operation "${operation}" is not known for resource "${resource}"`,
					{ itemIndex },
				);
			}
			const result = await handler.execute.call(this, itemIndex);
			const executionData = this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(result), {
				itemData: { item: itemIndex },
			});
			returnData.push(...executionData);
		} catch (error) {
			if (this.continueOnFail()) {
				// Only `error`, `message` and `details` keys: n8n then sends the item down the node's error
				// output when one is used ("Continue (using error output)"), and keeps it as it is otherwise.
				const details = errorDetails(error);
				returnData.push({
					json: { error: (error as Error).message, ...(Object.keys(details).length ? { details } : {}) },
					pairedItem: { item: itemIndex },
				});
				continue;
			}
			// Both constructors hand back an error that already is of their class unchanged.
			if (error instanceof NodeApiError) throw new NodeApiError(this.getNode(), error as unknown as JsonObject);
			throw new NodeOperationError(this.getNode(), error as Error, { itemIndex });
		}
	}
	return [returnData];
}

function errorDetails(error: unknown): IDataObject {
	const details: IDataObject = {};
	const { description, httpCode } = error as { description?: unknown; httpCode?: unknown };
	if (typeof description === 'string' && description) details.description = description;
	if (typeof httpCode === 'string' && httpCode) details.httpCode = httpCode;
	return details;
}

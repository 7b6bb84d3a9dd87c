import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

export const fieldNameField: INodeProperties = {
	displayName: 'Field Name',
	name: 'fieldName',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'handoff_conversation',
	description: 'Lower-case letters, digits and underscores, as Landbot requires',
};

export function requireFieldName(this: IExecuteFunctions, itemIndex: number): string {
	const name = String(this.getNodeParameter('fieldName', itemIndex, '')).trim();
	if (!/^[a-z0-9_]+$/.test(name)) {
		throw new NodeOperationError(
			this.getNode(),
			`"Field Name" must match ^[a-z0-9_]+$ (Landbot's rule), got "${name}"`,
			{ itemIndex },
		);
	}
	return name;
}

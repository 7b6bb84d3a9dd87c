import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** Reads a parameter that is an object from an expression or JSON text; undefined when not JSON. */
function parsed(raw: unknown): unknown {
	if (typeof raw !== 'string') return raw;
	try {
		return JSON.parse(raw);
	} catch {
		return undefined;
	}
}

/** A JSON object parameter: an object from an expression, or JSON text; empty text is `{}`. */
export function jsonObjectParameter(
	this: IExecuteFunctions,
	name: string,
	label: string,
	itemIndex: number,
): IDataObject {
	const raw = this.getNodeParameter(name, itemIndex, {}) as unknown;
	if (typeof raw === 'string' && raw.trim() === '') return {};
	const value = parsed(raw);
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw new NodeOperationError(this.getNode(), `"${label}" must be a JSON object`, { itemIndex });
	}
	return value as IDataObject;
}

/** A JSON array parameter: an array from an expression, or JSON text; empty text is `[]`. */
export function jsonArrayParameter(
	this: IExecuteFunctions,
	name: string,
	label: string,
	itemIndex: number,
): unknown[] {
	const raw = this.getNodeParameter(name, itemIndex, []) as unknown;
	if (typeof raw === 'string' && raw.trim() === '') return [];
	const value = parsed(raw);
	if (!Array.isArray(value)) {
		throw new NodeOperationError(this.getNode(), `"${label}" must be a JSON array`, { itemIndex });
	}
	return value;
}

/**
 * A message in the package's event shape (`{type, text, url, …}`), usually `{{ $json.message }}`
 * of a trigger event; plain text is taken as a text message.
 */
export function eventMessageParameter(this: IExecuteFunctions, name: string, itemIndex: number): IDataObject {
	const raw = this.getNodeParameter(name, itemIndex) as unknown;
	const value = typeof raw === 'string' ? (parsed(raw) ?? { type: 'text', text: raw }) : raw;
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw new NodeOperationError(this.getNode(), '"Message" must be an object like {"type": "text", "text": "…"}', {
			itemIndex,
		});
	}
	return value as IDataObject;
}

/** Only http(s) URLs leave n8n: no file://, data: or other schemes in a relayed message. */
export function requireHttpUrl(this: IExecuteFunctions, value: string, label: string, itemIndex: number): string {
	let valid = false;
	try {
		valid = ['http:', 'https:'].includes(new URL(value).protocol);
	} catch {
		valid = false;
	}
	if (!valid) {
		throw new NodeOperationError(this.getNode(), `"${label}" must be an http(s) URL, got "${value}"`, { itemIndex });
	}
	return value;
}

/** The http(s) URL given in parameter `parameter`. */
export function requireHttpUrlParameter(
	this: IExecuteFunctions,
	parameter: string,
	label: string,
	itemIndex: number,
): string {
	const value = String(this.getNodeParameter(parameter, itemIndex, '') ?? '').trim();
	return requireHttpUrl.call(this, value, label, itemIndex);
}

import type { IDataObject } from 'n8n-workflow';

/** A JSON object (not null, not an array). */
export function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `map[key]` for a key that comes from a request: only the map's own entries, so "constructor",
 * "valueOf" or "__proto__" find nothing instead of a function from Object.prototype.
 */
export function ownValue<T>(map: Readonly<Record<string, T>>, key: unknown): T | undefined {
	return typeof key === 'string' && Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;
}

/** A parameter or field as text: strings as they are, nothing as '', anything else through String(). */
export function textOf(value: unknown): string {
	return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

import type {
	IDisplayOptions,
	IExecuteFunctions,
	INodeListSearchResult,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

/**
 * Resource locators (From List / By ID) for the platform ids a node asks for. Version 1 of a node
 * stored these ids as plain strings from a dropdown; from LOCATOR_VERSION on they are locators.
 * Both are read the same way (`locatorId`), so an operation does not care which version it runs in.
 */
export const LOCATOR_VERSION = 1.1;

export interface LocatorSpec {
	/** What is chosen, in the domain's words: "Channel", "Department", "Agent". */
	displayName: string;
	name: string;
	/** The node's `methods.listSearch` entry that lists the platform's objects. */
	searchListMethod: string;
	/** An id of the platform's own shape, shown in the By ID field. */
	idPlaceholder: string;
	/** What a valid id looks like (checked in the editor), and what to say otherwise. */
	idPattern?: { regex: string; errorMessage: string };
	required?: boolean;
	description?: string;
	hint?: string;
	displayOptions?: IDisplayOptions;
}

export function idLocator(spec: LocatorSpec): INodeProperties {
	return {
		displayName: spec.displayName,
		name: spec.name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: spec.required,
		description: spec.description,
		hint: spec.hint,
		displayOptions: spec.displayOptions,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: spec.searchListMethod, searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: spec.idPlaceholder,
				validation: spec.idPattern
					? [{ type: 'regex', properties: { regex: spec.idPattern.regex, errorMessage: spec.idPattern.errorMessage } }]
					: undefined,
			},
		],
	};
}

function shownIn(property: INodeProperties, versions: NonNullable<IDisplayOptions['show']>['@version']): INodeProperties {
	const show = { ...(property.displayOptions?.show ?? {}), '@version': versions };
	return { ...property, displayOptions: { ...property.displayOptions, show } };
}

const CHOOSE_OR_EXPRESSION =
	'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>';

/** A version-1 id dropdown, filled by `loadOptionsMethod` (kept for workflows stored with version 1). */
export function idDropdown(displayName: string, name: string, loadOptionsMethod: string, extra: Partial<INodeProperties> = {}): INodeProperties {
	return { displayName, name, type: 'options', typeOptions: { loadOptionsMethod }, required: true, default: '', description: CHOOSE_OR_EXPRESSION, ...extra };
}

/**
 * The dropdown for workflows stored with earlier versions, and the locator from `since` on
 * (LOCATOR_VERSION for the action nodes; a trigger that was at 1.1 already takes it from 1.2).
 */
export function versionedId(
	legacy: INodeProperties,
	spec: Omit<LocatorSpec, 'name' | 'displayOptions'>,
	since = LOCATOR_VERSION,
): INodeProperties[] {
	const locator = idLocator({ ...spec, name: legacy.name, displayOptions: legacy.displayOptions, required: spec.required ?? legacy.required });
	return [shownIn(legacy, [{ _cnd: { lt: since } }]), shownIn(locator, [{ _cnd: { gte: since } }])];
}

/** A locator's id (or a version-1 string), trimmed; '' when unset. */
export function locatorId(this: IExecuteFunctions, name: string, itemIndex: number, fallback = ''): string {
	return locatorValue(this.getNodeParameter(name, itemIndex, fallback, { extractValue: true }));
}

/** What getNodeParameter(…, {extractValue: true}) gave for a locator or a dropdown, as an id. */
export function locatorValue(value: unknown): string {
	if (value === null || value === undefined) return '';
	// n8n finds the property by name among the displayed ones and skips the version check when a
	// field it depends on is an expression: it may take the version-1 dropdown and hand the locator back whole.
	if (typeof value === 'object') {
		const id = (value as { value?: unknown }).value;
		return typeof id === 'string' || typeof id === 'number' ? String(id).trim() : '';
	}
	return String(value).trim();
}

/** A locator's list from the options a listing gives: what matches the typed filter, by name or id. */
export function searchResults(options: INodePropertyOptions[], filter?: string): INodeListSearchResult {
	const needle = (filter ?? '').trim().toLowerCase();
	const results = options
		.filter((option) => !needle || option.name.toLowerCase().includes(needle) || String(option.value).toLowerCase().includes(needle))
		.map((option) => ({ name: option.name, value: String(option.value) }));
	return { results };
}

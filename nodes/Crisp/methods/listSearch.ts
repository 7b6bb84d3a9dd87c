import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { searchResults } from '../../shared';
import { getInboxes, getOperators } from './loadOptions';

/** The lists behind the node's resource locators, filterable by name or id. */
export const listSearch = {
	async searchOperators(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
		return searchResults(await getOperators.call(this), filter);
	},
	async searchInboxes(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
		return searchResults(await getInboxes.call(this), filter);
	},
};

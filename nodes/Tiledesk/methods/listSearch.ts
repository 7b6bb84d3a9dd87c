import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { searchResults } from '../../shared';
import { getAgents, getDepartments } from './loadOptions';

/** The lists behind the node's resource locators: the same listings as its dropdowns, filterable. */
export const listSearch = {
	async searchAgents(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
		return searchResults(await getAgents.call(this), filter);
	},
	async searchDepartments(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
		return searchResults(await getDepartments.call(this), filter);
	},
};

import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { searchResults } from '../../shared';
import { getChannels } from './loadOptions';

/** The lists behind the node's resource locators: the same listings as its dropdowns, filterable. */
export const listSearch = {
	async searchChannels(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
		return searchResults(await getChannels.call(this), filter);
	},
};

// The only place LiveChat is called from, split by concern under transport/: the credential's
// settings and the request helper (request.ts), customer tokens and the Customer Chat API calls made
// with them (tokens.ts), file download and upload (files.ts), chat property registration
// (properties.ts). The facts they rely on, with their sources: docs/platforms/livechat.md.
import { clearCheckedProperties } from './transport/properties';
import { clearCustomerTokens } from './transport/tokens';

export * from './transport/request';
export * from './transport/tokens';
export * from './transport/files';
export * from './transport/properties';

/** For tests: forgets this process's customer tokens and checked Client IDs. */
export function clearLiveChatCaches(): void {
	clearCustomerTokens();
	clearCheckedProperties();
}

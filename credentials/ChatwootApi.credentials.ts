import type {
	Icon,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

/**
 * Chatwoot's Application API (`/api/v1/accounts/{account}/…`): one header, `api_access_token`, for
 * a user's token (Profile settings → Access Token) or an agent bot's (docs/platforms/chatwoot.md).
 */
export class ChatwootApi implements ICredentialType {
	name = 'chatwootApi';

	displayName = 'Chatwoot API';

	icon: Icon = { light: 'file:../nodes/Chatwoot/chatwoot.svg', dark: 'file:../nodes/Chatwoot/chatwoot.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-handoff/n8n-nodes-handoff#credential-chatwoot-api';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://app.chatwoot.com',
			required: true,
			description: 'Chatwoot Cloud: https://app.chatwoot.com. Self-hosted: your installation\'s address, e.g. https://chat.example.com.',
		},
		{
			displayName: 'Account ID',
			name: 'accountId',
			type: 'string',
			default: '',
			required: true,
			placeholder: '1',
			description: 'The number after /accounts/ in the address of any Chatwoot dashboard page',
		},
		{
			displayName: 'API Access Token',
			name: 'apiAccessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				"A user's token (Profile Settings → Access Token): every operation, and the Chatwoot Trigger (administrator role). An agent bot's token may only create conversations, send messages, change status and assign (Chatwoot refuses bots everything else, reads included); \"Test\" fails for it.",
		},
	];

	/**
	 * A function, not an expression: the Chatwoot Trigger writes its catch-up mark once the execution
	 * has ended, when n8n 2.x has released the expression sandbox an expression-based header needs
	 * ("No bridge acquired for this context").
	 */
	async authenticate(credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		return { ...requestOptions, headers: { ...(requestOptions.headers ?? {}), api_access_token: String(credentials.apiAccessToken ?? '') } };
	}

	// The account's inboxes: checks the token and that its user belongs to this account (GET
	// /api/v1/profile would pass with any account ID). Chatwoot answers an agent bot's token 401
	// on every read (access_token_auth_helper.rb, BOT_ACCESSIBLE_ENDPOINTS): no request tests both.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '=/api/v1/accounts/{{String($credentials.accountId).trim()}}/inboxes',
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'Chatwoot refused the token: wrong token, a user of another account, or an agent bot\'s token (bots may not read; save it without testing if it is one)',
				},
			},
			{ type: 'responseCode', properties: { value: 404, message: 'No such account: check the Account ID and the Base URL' } },
		],
	};
}

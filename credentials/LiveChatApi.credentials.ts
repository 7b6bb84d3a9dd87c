import type {
	ICredentialDataDecryptedObject,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

/** The console shows the encoded string; people paste it with or without the "Basic " prefix. */
function bareBase64(value: unknown): string {
	return String(value ?? '')
		.trim()
		.replace(/^Basic\s+/i, '')
		.trim();
}

function bareBearer(value: unknown): string {
	return String(value ?? '')
		.trim()
		.replace(/^Bearer\s+/i, '')
		.trim();
}

export class LiveChatApi implements ICredentialType {
	name = 'liveChatApi';

	displayName = 'LiveChat API';

	icon: Icon = { light: 'file:../nodes/LiveChat/livechat.svg', dark: 'file:../nodes/LiveChat/livechat.dark.svg' };

	documentationUrl = 'https://platform.text.com/docs/authorization/personal-access-tokens';

	properties: INodeProperties[] = [
		{
			displayName: 'Token Format',
			name: 'authType',
			type: 'options',
			options: [
				{
					name: 'Account ID and Personal Access Token',
					value: 'pat',
					description: 'The two values the Developer Console shows when the token is created',
				},
				{
					name: 'Base64 String',
					value: 'base64',
					description: 'The "Base64 encoded token" the Developer Console shows (account ID and token together)',
				},
				{
					name: 'Bearer Access Token',
					value: 'bearer',
					description: 'An agent access token from an OAuth flow (dal:… or fra:…); expires after 8 hours',
				},
			],
			default: 'pat',
		},
		{
			displayName: 'Account ID',
			name: 'accountId',
			type: 'string',
			default: '',
			placeholder: 'd24fa41e-bc16-41b8-a15b-9ca45ff7e0cf',
			displayOptions: { show: { authType: ['pat'] } },
			description: 'Developer Console → Settings → Authorization → Personal Access Tokens: shown with the token',
		},
		{
			displayName: 'Personal Access Token',
			name: 'personalAccessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authType: ['pat'] } },
			description:
				'Scopes: chats--all:rw, customers:own, webhooks.configuration:rw, webhooks.state:rw, properties.configuration:rw, groups--all:ro, agents--all:ro, agents-bot--all:ro',
		},
		{
			displayName: 'Base64 Token',
			name: 'base64Token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authType: ['base64'] } },
			description: 'Sent as "Authorization: Basic <this string>"; a leading "Basic " is ignored',
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authType: ['bearer'] } },
		},
		{
			displayName: 'Organization ID',
			name: 'organizationId',
			type: 'string',
			default: '',
			required: true,
			placeholder: '390e44e6-f1e6-0368c-z6ddb-74g14508c2ex',
			description:
				'Needed to write as the customer (Customer Chat API). Developer Console → Settings → Account; LiveChat also sends it with every webhook (organization_id).',
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
			placeholder: '0805e283233042b37f460ed8fbf22160',
			description:
				'The Client ID of an app of your organization (Developer Console → Apps → your app → Authorization). It owns the webhooks the LiveChat Trigger registers, issues customer tokens, and names the chat properties this package writes.',
		},
		{
			displayName: 'API Base URL',
			name: 'apiUrl',
			type: 'string',
			default: 'https://api.livechatinc.com',
			description: 'Change it only for a proxy or a local simulator',
		},
		{
			displayName: 'API Version',
			name: 'apiVersion',
			type: 'string',
			default: 'v3.6',
			description: 'The stable version the nodes are written for',
		},
		{
			displayName: 'Accounts URL',
			name: 'accountsUrl',
			type: 'string',
			default: 'https://accounts.livechat.com',
			description: 'Where customer tokens are issued. Change it only for a proxy or a local simulator.',
		},
	];

	/**
	 * Personal access tokens go out as HTTP Basic (account ID : token), OAuth tokens as Bearer. A
	 * request that already carries an Authorization header (a customer token for the Customer Chat
	 * API) keeps it.
	 */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const headers: IDataObject = { ...(requestOptions.headers ?? {}) };
		const preset = Object.keys(headers).some((key) => key.toLowerCase() === 'authorization' && headers[key]);
		if (!preset) {
			if (credentials.authType === 'bearer') {
				headers.Authorization = `Bearer ${bareBearer(credentials.accessToken)}`;
			} else if (credentials.authType === 'base64') {
				headers.Authorization = `Basic ${bareBase64(credentials.base64Token)}`;
			} else {
				const pair = `${String(credentials.accountId ?? '').trim()}:${String(credentials.personalAccessToken ?? '').trim()}`;
				headers.Authorization = `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
			}
		}
		return { ...requestOptions, headers };
	}

	// The Agent Chat API is what every operation needs; one chat summary is the smallest answer.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.apiUrl.replace(/\\/+$/, "")}}',
			url: '={{"/" + ($credentials.apiVersion || "v3.6").trim() + "/agent/action/list_chats"}}',
			method: 'POST',
			body: { limit: 1 },
		},
	};
}

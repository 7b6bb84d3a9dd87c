import type {
	ICredentialDataDecryptedObject,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

/** What the personal access token needs (README, "Credential: LiveChat API"). */
const PAT_SCOPES = 'chats--all:rw, webhooks.configuration:rw, webhooks.state:rw, properties.configuration:rw, groups--all:ro, agents--all:ro, agents-bot--all:ro';

/** The console shows the encoded string; people paste it with or without the "Basic " prefix. */
function bareBase64(value: unknown): string {
	return String(value ?? '')
		.trim()
		.replace(/^Basic\s+/i, '')
		.trim();
}

/**
 * LiveChat's cookie grant identifies the customer by their cookies and takes no agent token: the
 * credential's token is left out of it (the Basic of a personal access token would not belong there).
 */
function isCookieGrant(body: unknown): boolean {
	return typeof body === 'object' && body !== null && (body as IDataObject).grant_type === 'cookie';
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

	// The README's set-up steps: the app, its installation, the redirect URI, the scopes.
	documentationUrl = 'https://github.com/n8n-nodes-handoff/n8n-nodes-handoff#credential-livechat-api';

	properties: INodeProperties[] = [
		{
			displayName: 'Token Format',
			name: 'authType',
			type: 'options',
			options: [
				{
					name: 'Account ID and Personal Access Token',
					value: 'pat',
					description:
						'The two values the Developer Console shows when the token is created. Customer tokens come from LiveChat\'s cookie grant (needs Customer Redirect URI).',
				},
				{
					name: 'Base64 String',
					value: 'base64',
					description:
						'The "Base64 encoded token" the Developer Console shows (account ID and token together). Customer tokens come from LiveChat\'s cookie grant (needs Customer Redirect URI).',
				},
				{
					name: 'Bearer Access Token',
					value: 'bearer',
					description:
						'An agent access token from an OAuth flow (dal:… or fra:…); expires after 8 hours. Customer tokens come from LiveChat\'s agent-token grant.',
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
			description: `Scopes: ${PAT_SCOPES}`,
		},
		{
			displayName: 'Base64 Token',
			name: 'base64Token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authType: ['base64'] } },
			description: `Sent as "Authorization: Basic <this string>"; a leading "Basic " is ignored. Scopes: ${PAT_SCOPES}.`,
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authType: ['bearer'] } },
			description: `Scopes: ${PAT_SCOPES}, and customers:own (LiveChat's agent-token grant, which issues customer tokens)`,
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
				'The Client ID of an app of your organization (Developer Console → Apps → your app → App Authorization). Install the app on your license (its Private installation tab → Install app): LiveChat fires the app\'s webhooks only then. The app owns the webhooks the LiveChat Trigger registers, issues customer tokens, and names the chat properties this package writes.',
		},
		{
			displayName: 'Customer Redirect URI',
			name: 'customerRedirectUri',
			type: 'string',
			default: '',
			placeholder: 'https://n8n.example.com/',
			displayOptions: { show: { authType: ['pat', 'base64'] } },
			description:
				'One of the URLs in the Redirect URI whitelist of the app\'s App Authorization block, character for character (trailing slash included), e.g. your n8n\'s address; nothing is ever sent there. LiveChat does not let a personal access token issue customer tokens (its agent-token grant excludes them), so the node uses LiveChat\'s cookie grant from the server, which needs this URI, and keeps each customer\'s cookies encrypted with this token in their chat, so any n8n process can write as that customer. After the token changes, those customers get a new LiveChat identity at their next Start.',
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
	 * API) keeps it; the cookie grant goes without one.
	 */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const headers: IDataObject = { ...(requestOptions.headers ?? {}) };
		const preset = Object.keys(headers).some((key) => key.toLowerCase() === 'authorization' && headers[key]);
		if (!preset && !isCookieGrant(requestOptions.body)) {
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

	/**
	 * n8n's declarative test is one request (a node-level credentialTest would only get the legacy
	 * helpers.request, which the community-nodes lint forbids). The one chosen is the customer-token
	 * grant, the set-up step that otherwise fails only at the first handoff: a Bearer token is checked
	 * with it too; a personal access token is not involved in the cookie grant, and is checked by any
	 * other call (the node's Group list loads with it, publishing the trigger registers webhooks).
	 * Each test creates one customer identity that never chats.
	 */
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.accountsUrl.replace(/\\/+$/, "")}}',
			url: '/v2/customer/token',
			method: 'POST',
			body: '={{ $credentials.authType === "bearer" ? { grant_type: "agent_token", client_id: $credentials.clientId.trim(), response_type: "token" } : { grant_type: "cookie", client_id: $credentials.clientId.trim(), response_type: "token", organization_id: $credentials.organizationId.trim(), redirect_uri: ($credentials.customerRedirectUri || "").trim() } }}',
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'LiveChat refused to issue a customer token. Personal access token: check Organization ID, Client ID and Customer Redirect URI (one of the app\'s redirect URIs, character for character). Bearer token: check the token (it expires after 8 hours), its customers:own scope and the Client ID.',
				},
			},
		],
	};
}

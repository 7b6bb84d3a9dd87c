import type {
	Icon,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

/**
 * Crisp's REST API (`https://api.crisp.chat/v1/…`): HTTP Basic of a token's identifier and key, plus
 * `X-Crisp-Tier` naming the kind of token (docs/platforms/crisp.md).
 */
export class CrispApi implements ICredentialType {
	name = 'crispApi';

	displayName = 'Crisp API';

	icon: Icon = { light: 'file:../nodes/Crisp/crisp.svg', dark: 'file:../nodes/Crisp/crisp.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-handoff/n8n-nodes-handoff#credential-crisp-api';

	properties: INodeProperties[] = [
		{
			displayName: 'Token Tier',
			name: 'tier',
			type: 'options',
			options: [
				{
					name: 'Plugin',
					value: 'plugin',
					description: 'A Marketplace plugin token (plugin → Tokens): every website that installed the plugin; 5,000 requests a day',
				},
				{
					name: 'Website',
					value: 'website',
					description: 'A website token (Crisp app → Workspace settings → Advanced configuration): one workspace; 10,000 requests a day',
				},
			],
			default: 'plugin',
		},
		{
			displayName: 'Identifier',
			name: 'identifier',
			type: 'string',
			default: '',
			required: true,
			placeholder: '2f8d4b6c-1a3e-4c5d-9e7f-0a1b2c3d4e5f',
		},
		{
			displayName: 'Key',
			name: 'tokenKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Website ID',
			name: 'websiteId',
			type: 'string',
			default: '',
			placeholder: '8c842203-7ed8-4e29-a608-7cf78a7d2fcc',
			description:
				'The website the nodes work in (Crisp app → Settings → Website settings → Setup instructions). A plugin token serves every website that installed the plugin: the Crisp node can name another one per call.',
		},
		{
			displayName: 'Web Hooks Secret',
			name: 'hookSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				"For the Crisp Trigger. Plugin Hooks: the plugin's signing secret (Marketplace → plugin → Settings → Web Hooks). Website Hooks: a random secret of your choice, added to the hook URL as ?secret=… (Crisp does not sign them).",
		},
		{
			displayName: 'API Base URL',
			name: 'apiUrl',
			type: 'string',
			default: 'https://api.crisp.chat',
			description: 'Change it only for a proxy or a local simulator',
		},
	];

	/**
	 * A function, not an expression: a trigger calling Crisp after its execution has ended would find
	 * n8n 2.x's expression sandbox released ("No bridge acquired for this context").
	 */
	async authenticate(credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		const pair = `${String(credentials.identifier ?? '').trim()}:${String(credentials.tokenKey ?? '').trim()}`;
		return {
			...requestOptions,
			headers: {
				...(requestOptions.headers ?? {}),
				Authorization: `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`,
				'X-Crisp-Tier': credentials.tier === 'website' ? 'website' : 'plugin',
			},
		};
	}

	// With a Website ID: its operators (the token reaches that website: a plugin installed there, the
	// website's own token). A plugin token without one: the websites that installed the plugin.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{($credentials.apiUrl || "https://api.crisp.chat").replace(/\\/+$/, "")}}',
			url: '={{ String($credentials.websiteId || "").trim() ? "/v1/website/" + encodeURIComponent(String($credentials.websiteId).trim()) + "/operators/list" : "/v1/plugin/connect/websites/all/1" }}',
		},
		rules: [
			{ type: 'responseCode', properties: { value: 401, message: 'Crisp refused the token: check Identifier, Key and Token Tier' } },
			{
				type: 'responseCode',
				properties: { value: 403, message: 'Crisp refused the token here: a plugin token needs the plugin installed on this website and the scopes for it; a website token, a Website ID' },
			},
			{ type: 'responseCode', properties: { value: 404, message: 'No such website: check the Website ID' } },
		],
	};
}
